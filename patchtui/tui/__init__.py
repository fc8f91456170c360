"""The Textual interface; the only package that imports Textual.

Build the app with ``patchtui.tui.app.create_app(db_path)``; the areas it
shows and how to add one are described in ``patchtui.tui.app``.
"""
