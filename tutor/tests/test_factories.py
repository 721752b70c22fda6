import pytest

from .factories import TutorMessageFactory, TutorSessionFactory

pytestmark = pytest.mark.django_db


def test_session_factory(assert_valid_saved_row):
    assert_valid_saved_row(TutorSessionFactory())


@pytest.mark.parametrize("reply", [False, True])
def test_message_factory(assert_valid_saved_row, reply):
    message = TutorMessageFactory(reply=reply)
    assert_valid_saved_row(message)
    assert message.user == message.session.user
