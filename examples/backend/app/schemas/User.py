class UserSchema:
    fields = ("id", "name")
