"""The example application."""
