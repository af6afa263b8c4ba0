"""What a model needs: parameters, FLOPs, bytes and memory."""
