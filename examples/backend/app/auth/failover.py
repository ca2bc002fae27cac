"""Authentication with a fallback provider."""


class AuthFailoverService:
    def __init__(self, primary: str, secondary: str) -> None:
        self.primary = primary
        self.secondary = secondary

    def login(self, user: str, password: str) -> str:
        return f"{self.primary}:{user}"

    def logout(self, token: str) -> None:
        return None
