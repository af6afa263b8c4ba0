"""Published cases and the runner behind `scalewall validate`."""
