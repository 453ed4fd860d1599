"""campus.live.jitsi: room names, passwords, JWTs (decoded claim by claim), embed config,
and the Jitsi system check. No database: the module is pure."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from campus.live.checks import jitsi_problems
from campus.live.jitsi import (
    DATA_SAVER_HEIGHT,
    JitsiUser,
    TokenWindowClosed,
    embed_config,
    embed_options,
    issue_token,
    new_room_name,
    new_room_password,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SECRET = "s" * 40
APP_ID = "campus-app"
JAAS_APP = "vpaas-magic-cookie-0123456789abcdef"
ROOM = "campus-course-7-session-9-abcdefghijklmnopqrstuvwxyz234567"

OWNER = JitsiUser(id=1, name="Awa Teacher", email="awa@example.org", avatar="", is_moderator=True)
STUDENT = JitsiUser(
    id=2, name="Koffi Student", email="koffi@example.org", avatar="", is_moderator=False
)


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_pems() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def public_mode(settings: Any) -> Any:
    settings.JITSI_MODE = "public"
    settings.JITSI_SERVER_URL = "https://meet.jit.si"
    settings.JITSI_DOMAIN = "meet.jit.si"
    return settings


@pytest.fixture
def selfhosted(settings: Any) -> Any:
    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_SERVER_URL = "https://meet.campus.example"
    settings.JITSI_DOMAIN = "meet.campus.example"
    settings.JITSI_APP_ID = APP_ID
    settings.JITSI_APP_SECRET = SECRET
    settings.JITSI_AUDIENCE = "campus-aud"
    settings.JITSI_SUBJECT = "meet.campus.example"
    settings.JITSI_TOKEN_GRACE_MINUTES = 30
    settings.JITSI_TOKEN_MAX_HOURS = 4
    return settings


@pytest.fixture
def jaas(settings: Any, rsa_pems: tuple[str, str]) -> Any:
    settings.JITSI_MODE = "jaas"
    settings.JITSI_JAAS_APP_ID = JAAS_APP
    settings.JITSI_JAAS_KEY_ID = "4f4910"
    settings.JITSI_JAAS_PRIVATE_KEY = rsa_pems[0]
    settings.JITSI_TOKEN_GRACE_MINUTES = 30
    settings.JITSI_TOKEN_MAX_HOURS = 4
    return settings


def _token(user: JitsiUser, *, end: datetime | None = None, recording: bool = True) -> str:
    token = issue_token(
        room_name=ROOM,
        user=user,
        session_end=end or NOW + timedelta(hours=1),
        recording_enabled=recording,
        now=NOW,
    )
    assert token is not None
    return token


def _decode_hs(token: str, *, audience: str = "campus-aud") -> dict[str, Any]:
    # The clock is checked separately (time_machine tests); here: signature, aud, iss.
    return jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        audience=audience,
        issuer=APP_ID,
        options={"verify_exp": False, "verify_nbf": False, "require": ["exp", "nbf", "room"]},
    )


def _decode_rs(token: str, public_pem: str) -> dict[str, Any]:
    return jwt.decode(
        token,
        public_pem,
        algorithms=["RS256"],
        audience="jitsi",
        issuer="chat",
        options={"verify_exp": False, "verify_nbf": False, "require": ["exp", "nbf", "room"]},
    )


def _ts(value: datetime) -> int:
    return int(value.timestamp())


# --- Room names and passwords --------------------------------------------------------------


def test_room_name_shape_charset_and_entropy(settings: Any) -> None:
    settings.JITSI_ROOM_PREFIX = "campus"
    pattern = re.compile(r"^campus-course-12-session-34-([a-z2-7]+)$")
    names = {new_room_name(course_id=12, session_id=34) for _ in range(2000)}
    assert len(names) == 2000  # no collision over many draws
    for name in names:
        match = pattern.match(name)
        assert match, name
        # base32: 5 bits per character, so >= 26 characters means >= 128 bits.
        assert len(match.group(1)) * 5 >= 128
        assert re.fullmatch(r"[a-z0-9-]+", name)


def test_room_name_prefix_is_made_url_safe(settings: Any) -> None:
    settings.JITSI_ROOM_PREFIX = "Mon École/Live"
    name = new_room_name(course_id=1, session_id=2)
    assert name.startswith("mon-cole-live-course-1-session-2-")
    assert re.fullmatch(r"[a-z0-9-]+", name)


def test_room_passwords_are_long_and_unique() -> None:
    passwords = {new_room_password() for _ in range(1000)}
    assert len(passwords) == 1000
    assert all(len(p) >= 12 for p in passwords)


# --- Public mode ---------------------------------------------------------------------------


def test_public_mode_issues_no_token_and_a_plain_join_url(public_mode: Any) -> None:
    token = issue_token(
        room_name=ROOM,
        user=OWNER,
        session_end=NOW + timedelta(hours=1),
        recording_enabled=True,
        now=NOW,
    )
    assert token is None
    config = embed_config(room_name=ROOM, token=token)
    assert config["domain"] == "meet.jit.si"
    assert config["roomName"] == ROOM
    assert config["script_url"] == "https://meet.jit.si/external_api.js"
    assert config["join_url"] == f"https://meet.jit.si/{ROOM}"
    assert "jwt" not in config
    assert "jwt" not in config["join_url"]


# --- Self-hosted (HS256) -------------------------------------------------------------------


def test_selfhosted_owner_token_claim_by_claim(selfhosted: Any) -> None:
    token = _token(OWNER, recording=True)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = _decode_hs(token)
    assert claims["iss"] == APP_ID
    assert claims["aud"] == "campus-aud"
    assert claims["sub"] == "meet.campus.example"
    assert claims["room"] == ROOM
    assert claims["iat"] == _ts(NOW) - 60  # same skew margin as nbf
    assert claims["nbf"] == _ts(NOW) - 60
    assert claims["exp"] == _ts(NOW + timedelta(hours=1, minutes=30))
    assert claims["moderator"] is True
    assert claims["context"]["user"] == {
        "id": "1",
        "name": "Awa Teacher",
        "email": "awa@example.org",
        "avatar": "",
        "moderator": "true",
        "affiliation": "owner",
    }
    assert claims["context"]["features"] == {
        "recording": "true",
        "livestreaming": "false",
        "screen-sharing": "true",
    }


def test_selfhosted_recording_follows_the_session(selfhosted: Any) -> None:
    claims = _decode_hs(_token(OWNER, recording=False))
    assert claims["context"]["features"]["recording"] == "false"


def test_student_token_is_never_a_moderator(selfhosted: Any) -> None:
    claims = _decode_hs(_token(STUDENT, recording=True))
    user = claims["context"]["user"]
    # All three moderator forms say no.
    assert claims["moderator"] is False
    assert user["moderator"] == "false"
    assert user["affiliation"] == "member"
    assert user["id"] == "2"
    assert set(claims["context"]["features"].values()) == {"false"}


def test_token_is_signed_with_the_jitsi_secret_only(selfhosted: Any) -> None:
    token = _token(OWNER)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, selfhosted.SECRET_KEY, algorithms=["HS256"], audience="campus-aud")
    with pytest.raises(jwt.InvalidAudienceError):
        _decode_hs(token, audience="someone-else")


def test_exp_is_capped_by_session_end_plus_grace(selfhosted: Any) -> None:
    end = NOW + timedelta(minutes=45)
    claims = _decode_hs(_token(STUDENT, end=end))
    assert claims["exp"] == _ts(end + timedelta(minutes=30))


def test_exp_is_capped_by_max_hours_for_long_sessions(selfhosted: Any) -> None:
    claims = _decode_hs(_token(STUDENT, end=NOW + timedelta(hours=10)))
    assert claims["exp"] == _ts(NOW + timedelta(hours=4))


def test_grace_and_max_hours_come_from_settings(selfhosted: Any) -> None:
    selfhosted.JITSI_TOKEN_GRACE_MINUTES = 5
    selfhosted.JITSI_TOKEN_MAX_HOURS = 1
    assert _decode_hs(_token(STUDENT, end=NOW + timedelta(minutes=10)))["exp"] == _ts(
        NOW + timedelta(minutes=15)
    )
    assert _decode_hs(_token(STUDENT, end=NOW + timedelta(hours=3)))["exp"] == _ts(
        NOW + timedelta(hours=1)
    )


def test_token_validity_window_against_the_clock(selfhosted: Any) -> None:
    token = _token(STUDENT, end=NOW + timedelta(minutes=30))

    def verify() -> None:
        jwt.decode(token, SECRET, algorithms=["HS256"], audience="campus-aud", issuer=APP_ID)

    with time_machine.travel(NOW - timedelta(seconds=30), tick=False):
        verify()  # nbf allows a minute of clock skew
    with (
        time_machine.travel(NOW - timedelta(seconds=90), tick=False),
        pytest.raises(jwt.ImmatureSignatureError),
    ):
        verify()
    with time_machine.travel(NOW + timedelta(minutes=59), tick=False):
        verify()
    with (
        time_machine.travel(NOW + timedelta(minutes=61), tick=False),
        pytest.raises(jwt.ExpiredSignatureError),
    ):
        verify()


def test_no_token_once_the_session_and_grace_are_over(selfhosted: Any) -> None:
    with pytest.raises(TokenWindowClosed):
        _token(STUDENT, end=NOW - timedelta(minutes=31))


@pytest.mark.parametrize("room", ["*", "", "room-*"])
def test_wildcard_or_empty_room_is_refused(selfhosted: Any, room: str) -> None:
    with pytest.raises(ValueError, match="exact room"):
        issue_token(
            room_name=room,
            user=OWNER,
            session_end=NOW + timedelta(hours=1),
            recording_enabled=True,
            now=NOW,
        )


def test_naive_datetimes_are_refused(selfhosted: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        issue_token(
            room_name=ROOM,
            user=OWNER,
            session_end=datetime(2026, 3, 2, 11, 0),
            recording_enabled=True,
            now=NOW,
        )


def test_selfhosted_embed_config_carries_the_token(selfhosted: Any) -> None:
    token = _token(STUDENT)
    config = embed_config(room_name=ROOM, token=token, display_name="Koffi")
    assert config["domain"] == "meet.campus.example"
    assert config["roomName"] == ROOM
    assert config["jwt"] == token
    assert config["script_url"] == "https://meet.campus.example/external_api.js"
    assert config["join_url"] == f"https://meet.campus.example/{ROOM}?jwt={token}"
    assert config["userInfo"]["displayName"] == "Koffi"


# --- JaaS (RS256) --------------------------------------------------------------------------


def test_jaas_owner_token_claim_by_claim(jaas: Any, rsa_pems: tuple[str, str]) -> None:
    token = _token(OWNER, recording=True)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["kid"] == f"{JAAS_APP}/4f4910"
    claims = _decode_rs(token, rsa_pems[1])
    assert claims["iss"] == "chat"
    assert claims["aud"] == "jitsi"
    assert claims["sub"] == JAAS_APP
    assert claims["room"] == ROOM  # plain name, no AppID prefix
    assert claims["nbf"] == _ts(NOW) - 60
    assert claims["exp"] == _ts(NOW + timedelta(hours=1, minutes=30))
    assert claims["context"]["user"] == {
        "id": "1",
        "name": "Awa Teacher",
        "email": "awa@example.org",
        "avatar": "",
        "moderator": "true",
    }
    assert claims["context"]["features"] == {"recording": "true", "livestreaming": "false"}


def test_jaas_student_is_not_a_moderator(jaas: Any, rsa_pems: tuple[str, str]) -> None:
    claims = _decode_rs(_token(STUDENT), rsa_pems[1])
    assert claims["context"]["user"]["moderator"] == "false"
    assert set(claims["context"]["features"].values()) == {"false"}
    assert claims.get("moderator") in (None, False)


def test_jaas_token_fails_with_another_key(jaas: Any) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_token(OWNER), other, algorithms=["RS256"], audience="jitsi")


def test_jaas_key_id_already_prefixed_is_not_doubled(jaas: Any) -> None:
    jaas.JITSI_JAAS_KEY_ID = f"{JAAS_APP}/4f4910"
    assert jwt.get_unverified_header(_token(OWNER))["kid"] == f"{JAAS_APP}/4f4910"


def test_jaas_embed_config(jaas: Any) -> None:
    token = _token(STUDENT)
    config = embed_config(room_name=ROOM, token=token)
    assert config["domain"] == "8x8.vc"
    assert config["roomName"] == f"{JAAS_APP}/{ROOM}"
    assert config["script_url"] == f"https://8x8.vc/{JAAS_APP}/external_api.js"
    assert config["join_url"] == f"https://8x8.vc/{JAAS_APP}/{ROOM}?jwt={token}"
    assert config["jwt"] == token


# --- System check --------------------------------------------------------------------------


def test_check_passes_for_the_default_public_mode(public_mode: Any) -> None:
    assert jitsi_problems() == []


def test_check_passes_for_complete_selfhosted_and_jaas(settings: Any, rsa_pems: Any) -> None:
    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_APP_ID = APP_ID
    settings.JITSI_APP_SECRET = SECRET
    assert jitsi_problems() == []
    settings.JITSI_MODE = "jaas"
    settings.JITSI_JAAS_APP_ID = JAAS_APP
    settings.JITSI_JAAS_KEY_ID = "k1"
    settings.JITSI_JAAS_PRIVATE_KEY = rsa_pems[0]
    assert jitsi_problems() == []


def test_check_rejects_unknown_mode(settings: Any) -> None:
    settings.JITSI_MODE = "zoom"
    assert any("unknown" in p for p in jitsi_problems())


@pytest.mark.parametrize(
    ("app_id", "secret", "expected"),
    [
        ("", SECRET, "JITSI_APP_ID"),
        (APP_ID, "", "JITSI_APP_SECRET"),
        (APP_ID, "x" * 31, "at least 32"),
    ],
)
def test_check_rejects_incomplete_selfhosted(
    settings: Any, app_id: str, secret: str, expected: str
) -> None:
    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_APP_ID = app_id
    settings.JITSI_APP_SECRET = secret
    problems = jitsi_problems()
    assert len(problems) == 1
    assert expected in problems[0]


def test_check_rejects_secret_key_reuse(settings: Any) -> None:
    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_APP_ID = APP_ID
    settings.SECRET_KEY = settings.JITSI_APP_SECRET = "k" * 60
    assert any("SECRET_KEY" in p for p in jitsi_problems())


@pytest.mark.parametrize(
    "missing", ["JITSI_JAAS_APP_ID", "JITSI_JAAS_KEY_ID", "JITSI_JAAS_PRIVATE_KEY"]
)
def test_check_rejects_incomplete_jaas(jaas: Any, missing: str) -> None:
    setattr(jaas, missing, "")
    problems = jitsi_problems()
    assert len(problems) == 1
    assert missing in problems[0]


def test_check_rejects_a_bad_or_non_rsa_jaas_key(jaas: Any) -> None:
    jaas.JITSI_JAAS_PRIVATE_KEY = "not a key"
    assert any("PEM" in p for p in jitsi_problems())
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    jaas.JITSI_JAAS_PRIVATE_KEY = ec_key.decode()
    assert any("RSA" in p for p in jitsi_problems())


def test_check_is_registered_with_django(settings: Any) -> None:
    from django.core import checks

    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_APP_ID = ""
    settings.JITSI_APP_SECRET = ""
    ids = {message.id for message in checks.run_checks()}
    assert "live.E001" in ids


# --- Embed options (what Campus decides for the External API) --------------------------


def test_embed_options_prejoin_on_deep_linking_off_in_french() -> None:
    options = embed_options(moderator=True, data_saver=False)
    config = options["configOverwrite"]
    assert options["lang"] == "fr"
    assert config["prejoinConfig"] == {"enabled": True}
    assert config["disableDeepLinking"] is True
    assert config["startWithVideoMuted"] is False
    assert "startAudioOnly" not in config


def test_students_start_with_video_muted() -> None:
    config = embed_options(moderator=False, data_saver=False)["configOverwrite"]
    assert config["startWithVideoMuted"] is True


def test_data_saver_starts_audio_only_at_low_quality_even_for_the_moderator() -> None:
    config = embed_options(moderator=True, data_saver=True)["configOverwrite"]
    assert config["startAudioOnly"] is True
    assert config["startWithVideoMuted"] is True
    assert config["resolution"] == DATA_SAVER_HEIGHT
    assert config["constraints"]["video"]["height"]["max"] == DATA_SAVER_HEIGHT
    assert config["channelLastN"] == 1


def test_script_and_join_link_follow_the_server_url_scheme(settings: Any, public_mode: Any) -> None:
    settings.JITSI_SERVER_URL = "http://127.0.0.1:8765"
    settings.JITSI_DOMAIN = "127.0.0.1:8765"
    config = embed_config(room_name=ROOM, token=None)
    assert config["script_url"] == "http://127.0.0.1:8765/external_api.js"
    assert config["join_url"] == f"http://127.0.0.1:8765/{ROOM}"
    assert config["domain"] == "127.0.0.1:8765"
