"""LSP features, one module each: diagnostics (sync, push, pull), code actions, hover, definition, commands, workspace."""
