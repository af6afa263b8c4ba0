"""``python -m scalewall`` runs the CLI."""

from scalewall.cli import main

main()
