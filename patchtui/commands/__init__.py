"""Command-line commands, one module per area; ``patchtui.cli`` assembles them."""
