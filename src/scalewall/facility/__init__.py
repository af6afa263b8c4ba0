"""Device, node and site power; energy at three boundaries; carbon, water and cost."""
