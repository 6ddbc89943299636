"""Personal data: ciphers, keyed search index, masking, logged reads, key rotation, no plaintext."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from xinfang.core import crypto
from xinfang.core.crypto import Keyring
from xinfang.core.errors import InvalidIdNumber, PersonalDataError
from xinfang.core.models import AuditAction, AuditEntry
from xinfang.core.personal_data import (
    digest_for,
    mask_address,
    mask_id_number,
    mask_phone,
    normalize_phone,
    reveal,
    validate_id_number,
)
from xinfang.org import services
from xinfang.org.choices import Role
from xinfang.org.models import User
from xinfang.petitions.services import PetitionerData, register_petition, reveal_petitioner
from xinfang.shell.testing import PASSWORD, Cast

KEY_1 = "11" * 32
KEY_2 = "22" * 32
INDEX = "33" * 32
ID_NUMBER = "330102198501010102"
ID_WITH_X = "11010519491231002X"
PHONE = "13912345678"
PETITIONER_PHONE = "13755551234"
ADDRESS = "城关镇幸福路88号3栋502室"


def ring(cipher: str = "sm4-gcm", keys: str = f"k1:{KEY_1}") -> Keyring:
    return Keyring.parse(keys, INDEX, cipher)


# --- ciphers ------------------------------------------------------------------------------


@pytest.mark.parametrize("cipher", ["sm4-gcm", "aes-gcm"])
def test_round_trip(cipher: str) -> None:
    keys = ring(cipher)
    token = keys.seal("张三 330102198501010102")
    assert token.startswith(f"{cipher}:k1:")
    assert "3301021985" not in token
    assert keys.open(token) == "张三 330102198501010102"


@pytest.mark.parametrize("cipher", ["sm4-gcm", "aes-gcm"])
def test_same_value_seals_differently_each_time(cipher: str) -> None:
    keys = ring(cipher)
    assert keys.seal(PHONE) != keys.seal(PHONE)


@pytest.mark.parametrize("cipher", ["sm4-gcm", "aes-gcm"])
def test_tampered_token_is_refused(cipher: str) -> None:
    keys = ring(cipher)
    name, key_id, blob = keys.seal(PHONE).split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 0x01
    tampered = f"{name}:{key_id}:{base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(PersonalDataError, match="损坏或被篡改"):
        keys.open(tampered)
    with pytest.raises(PersonalDataError):
        keys.open("sm4-gcm:k1:not-base64!!")


def test_sm4_and_aes_tokens_are_not_interchangeable() -> None:
    sm4 = ring("sm4-gcm").seal(PHONE)
    as_aes = "aes-gcm" + sm4.removeprefix("sm4-gcm")
    with pytest.raises(PersonalDataError):
        ring("aes-gcm").open(as_aes)


def test_unknown_key_id_is_an_error() -> None:
    token = ring(keys=f"old:{KEY_2}").seal(PHONE)
    with pytest.raises(PersonalDataError, match="缺少解密所需的密钥"):
        ring().open(token)


def test_every_listed_key_decrypts_and_the_first_encrypts() -> None:
    old = ring(keys=f"k1:{KEY_1}").seal(PHONE)
    rotated = ring(keys=f"k2:{KEY_2},k1:{KEY_1}")
    assert rotated.open(old) == PHONE
    assert rotated.seal(PHONE).startswith("sm4-gcm:k2:")
    assert rotated.needs_rekey(old)
    assert not rotated.needs_rekey(rotated.seal(PHONE))


@pytest.mark.parametrize(
    ("keys", "index", "cipher", "message"),
    [
        ("", INDEX, "sm4-gcm", "未配置"),
        ("k1:abcd", INDEX, "sm4-gcm", "32 字节"),
        ("k1:zz", INDEX, "sm4-gcm", "十六进制"),
        (f"k1:{KEY_1}", INDEX, "des", "不支持"),
        (f"k1:{KEY_1}", "00", "sm4-gcm", "至少 16 字节"),
        (f"k1:{KEY_1}", "xyz", "sm4-gcm", "十六进制"),
    ],
)
def test_bad_key_configuration_is_refused(keys: str, index: str, cipher: str, message: str) -> None:
    with pytest.raises(PersonalDataError, match=message):
        Keyring.parse(keys, index, cipher)


def test_blind_index_is_keyed_and_separated_by_purpose() -> None:
    a = ring().blind_index(PHONE, "phone")
    assert a == ring().blind_index(PHONE, "phone")
    assert a != ring().blind_index(PHONE, "id_number")
    assert a != Keyring.parse(f"k1:{KEY_1}", "44" * 32, "sm4-gcm").blind_index(PHONE, "phone")
    assert len(a) == 64  # HMAC-SM3: 256 bits


# --- validation and masking ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [ID_NUMBER, ID_WITH_X, "11010519491231002x", " 510101199912311235 "]
)
def test_valid_id_numbers(value: str) -> None:
    assert validate_id_number(value) == value.strip().upper()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("330102198501010103", "校验位不正确"),
        ("110105194912310021", "校验位不正确"),
        ("33010219850101010", "应为18位"),
        ("3301021985010101022", "应为18位"),
        ("33010219850101010A", "应为18位"),
        ("330102850101010", "应为18位"),  # the old 15-digit format is not accepted
        ("", "应为18位"),
    ],
)
def test_invalid_id_numbers_have_chinese_messages(value: str, message: str) -> None:
    with pytest.raises(InvalidIdNumber, match=message):
        validate_id_number(value)


def test_an_address_is_masked_to_its_first_characters_and_a_fixed_mask() -> None:
    assert mask_address("城关镇幸福路88号3栋502室") == "城关镇幸福路****"
    assert mask_address("东街1号") == "东街****"
    assert len(mask_address("x" * 200)) <= 32


def test_masks() -> None:
    assert mask_id_number(ID_NUMBER) == "3301**********0102"
    assert mask_id_number(ID_WITH_X) == "1101**********002X"
    assert mask_phone(PHONE) == "139****5678"
    assert normalize_phone("+86 139 1234 5678") == PHONE
    with pytest.raises(PersonalDataError, match="电话号码格式不正确"):
        normalize_phone("12")


# --- the field on a model -----------------------------------------------------------------


@pytest.mark.django_db
def test_protected_field_stores_only_token_digest_and_mask() -> None:
    user = User(username="c1", kind="citizen", phone=PHONE, id_number=ID_NUMBER)
    user.save()
    stored = User.objects.get(pk=user.pk)
    assert stored.phone == "139****5678"
    assert stored.id_number == "3301**********0102"
    assert PHONE not in stored.phone_token and ID_NUMBER not in stored.id_number_token
    assert crypto.open_(stored.id_number_token) == ID_NUMBER
    assert stored.phone_digest == digest_for("phone", "139 1234 5678")


@pytest.mark.django_db
def test_invalid_id_number_is_refused_on_assignment() -> None:
    with pytest.raises(InvalidIdNumber):
        User(username="c2", id_number="330102198501010103")


@pytest.mark.django_db
def test_search_by_exact_match_through_the_digest() -> None:
    services.create_citizen(actor=None, phone=PHONE, password=PASSWORD, id_number=ID_WITH_X)
    services.create_citizen(actor=None, phone="13700000000", password=PASSWORD)
    found = User.objects.filter(id_number_digest=digest_for("id_number", "11010519491231002x"))
    assert [u.phone for u in found] == ["139****5678"]
    assert User.objects.filter(phone_digest=digest_for("phone", "+8613912345678")).count() == 1
    assert not User.objects.filter(phone_digest=digest_for("phone", "13912345679")).exists()


@pytest.mark.django_db
def test_reveal_decrypts_and_writes_a_pii_read_entry(cast: Cast) -> None:
    citizen = services.create_citizen(actor=None, phone=PHONE, password=PASSWORD)
    officer = cast.user_with("handler", cast.unit_a)
    assert reveal(citizen, "phone", actor=officer, reason="回访") == PHONE
    entry = AuditEntry.objects.filter(action=AuditAction.PII_READ).get()
    assert entry.actor == officer
    assert (entry.object_type, entry.object_id) == ("org.user", str(citizen.pk))
    assert entry.detail == {"field": "phone", "reason": "回访"}


@pytest.mark.django_db
def test_reveal_of_empty_value_logs_nothing(cast: Cast) -> None:
    assert reveal(cast.no_grant, "id_number", actor=cast.no_grant) == ""
    assert not AuditEntry.objects.filter(action=AuditAction.PII_READ).exists()


# --- key rotation -------------------------------------------------------------------------


def _tokens() -> list[str]:
    rows = User.objects.exclude(phone_token="").values_list("phone_token", "id_number_token")
    return [t for pair in rows for t in pair if t]


@pytest.mark.django_db
def test_rekey_moves_every_value_to_the_new_key(settings: Any) -> None:
    settings.XINFANG_DATA_KEYS = f"k1:{KEY_1}"
    citizens = [
        services.create_citizen(
            actor=None, phone=f"1390000000{i}", password=PASSWORD, id_number=ID_NUMBER
        )
        for i in range(5)
    ]
    digests = {u.pk: u.phone_digest for u in citizens}
    assert all(t.startswith("sm4-gcm:k1:") for t in _tokens())

    settings.XINFANG_DATA_KEYS = f"k2:{KEY_2},k1:{KEY_1}"
    out = io.StringIO()
    call_command("rekey_personal_data", "--batch-size", "2", stdout=out)
    assert "org.user.phone: 5" in out.getvalue()
    assert "org.user.id_number: 5" in out.getvalue()
    assert len(_tokens()) == 10
    assert all(t.startswith("sm4-gcm:k2:") for t in _tokens())
    assert AuditEntry.objects.filter(object_type="personal_data", object_id="rekey").count() == 1

    # Idempotent: nothing left to do, nothing logged.
    out = io.StringIO()
    call_command("rekey_personal_data", stdout=out)
    assert "重新加密 0 项" in out.getvalue()
    assert AuditEntry.objects.filter(object_type="personal_data").count() == 1

    # The old key can go: every value opens with the new key alone, digests unchanged.
    settings.XINFANG_DATA_KEYS = f"k2:{KEY_2}"
    for user in User.objects.filter(pk__in=digests):
        assert crypto.open_(user.phone_token).startswith("1390000000")
        assert crypto.open_(user.id_number_token) == ID_NUMBER
        assert user.phone_digest == digests[user.pk]


@pytest.mark.django_db
def test_rekey_switches_cipher(settings: Any) -> None:
    services.create_citizen(actor=None, phone=PHONE, password=PASSWORD)
    settings.XINFANG_CIPHER = "aes-gcm"
    out = io.StringIO()
    call_command("rekey_personal_data", "--dry-run", stdout=out)
    assert "需重新加密 1 项" in out.getvalue()
    assert all(t.startswith("sm4-gcm:") for t in _tokens())
    call_command("rekey_personal_data", stdout=io.StringIO())
    assert [t.split(":")[0] for t in _tokens()] == ["aes-gcm"]
    assert crypto.open_(_tokens()[0]) == PHONE


@pytest.mark.django_db
def test_rekey_without_the_old_key_stops_with_a_clear_error(settings: Any) -> None:
    services.create_citizen(actor=None, phone=PHONE, password=PASSWORD)
    settings.XINFANG_DATA_KEYS = f"k9:{KEY_2}"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="缺少解密所需的密钥"):
        call_command("rekey_personal_data", stdout=io.StringIO())


# --- no plaintext at rest -----------------------------------------------------------------


def _dump_database() -> str:
    """Every value of every column of every table, as text."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.extend(
                    bytes(v).decode("utf-8", "replace")
                    if isinstance(v, (bytes, memoryview))
                    else str(v)
                    for v in row
                )
    if connection.vendor == "sqlite":
        chunks.extend(connection.connection.iterdump())
    return "\n".join(chunks)


@pytest.mark.django_db
def test_database_dump_holds_no_plaintext_id_phone_or_address(cast: Cast) -> None:
    staff_phone = "13612345678"
    services.create_staff(
        actor=None,
        username="clerk",
        password=PASSWORD,
        full_name="张办事",
        unit=cast.unit_a,
        phone=staff_phone,
    )
    citizen = services.create_citizen(
        actor=None, phone=PHONE, password=PASSWORD, full_name="李群众", id_number=ID_NUMBER
    )
    reveal(citizen, "id_number", actor=cast.no_grant)
    # Sign-in attempts by phone number, failed and successful, are stored too.
    client = Client()
    client.post("/login/", {"username": "139 1234 5678", "password": "wrong-password"})
    client.post("/login/", {"username": PHONE, "password": PASSWORD})
    Client().post("/login/", {"username": ID_NUMBER, "password": "wrong-password"})

    # A petitioner with an address, registered, searched for and revealed (audited).
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a)
    petition = register_petition(
        actor=registrar,
        registering_unit=cast.unit_a,
        channel="visit",
        kind="appeal",
        summary="反映小区供暖不足",
        petitioners=[
            PetitionerData(
                name="周信访", phone=PETITIONER_PHONE, id_number=ID_WITH_X, address=ADDRESS
            )
        ],
    ).petition
    person = petition.petitioners.get()
    assert person.address == mask_address(ADDRESS)
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    assert reveal_petitioner(person, actor=handler).address == ADDRESS

    dump = _dump_database()
    assert "李群众" in dump and "周信访" in dump  # the dump really contains the rows
    secrets = (PHONE, staff_phone, ID_NUMBER, ID_NUMBER[4:14], PHONE[2:9], staff_phone[2:9])
    secrets += (PETITIONER_PHONE, ID_WITH_X, ADDRESS, ADDRESS[6:])
    for secret in secrets:
        assert secret not in dump, f"plaintext {secret} found in the database"
