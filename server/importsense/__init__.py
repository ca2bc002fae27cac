"""importsense: catch broken Python imports while you type, fix them in one keystroke, see what pytest can collect."""

__version__ = "0.1.0"
