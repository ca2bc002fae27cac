from app.schemas import UserSchema


def test_fields():
    assert "id" in UserSchema.fields
