"""The local web app (``scalewall web``): FastAPI pages and a JSON API mirroring the CLI."""
