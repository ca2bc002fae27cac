"""Half-migrated module: a syntax error nobody noticed."""


def old_handler(request)
    return request
