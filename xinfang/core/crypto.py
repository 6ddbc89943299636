"""Encryption of personal data at rest, behind one interface.

A sealed value is the text ``"<cipher>:<key id>:<base64(nonce || ciphertext || tag)>"`` so
that keys can rotate (``xinfang rekey_personal_data``) and ciphers can change without a
migration. Exact-match search uses a keyed hash (HMAC-SM3) of the normalised value; the audit
chain (xinfang.core.audit) signs its entries with the same primitive, under its own keys.

Keys come from the environment (``XINFANG_DATA_KEYS``, ``XINFANG_INDEX_KEY``), never the
database.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from xinfang.core.errors import PersonalDataError, TamperedCiphertext

__all__ = [
    "AesGcm",
    "DataCipher",
    "Keyring",
    "Sm4Gcm",
    "blind_index",
    "hmac_sm3",
    "keyring",
    "open_",
    "open_bytes",
    "parse_key_list",
    "seal",
    "seal_bytes",
]

NONCE_BYTES = 12
TAG_BYTES = 16


class DataCipher(Protocol):
    """An authenticated cipher: the only thing the rest of Xinfang knows about encryption."""

    name: str

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes) -> bytes: ...

    def decrypt(self, key: bytes, nonce: bytes, sealed: bytes) -> bytes: ...


class Sm4Gcm:
    """SM4 (GB/T 32907) in GCM mode; uses the first 16 bytes of the key."""

    name = "sm4-gcm"

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes) -> bytes:
        enc = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
        return enc.update(plaintext) + enc.finalize() + enc.tag

    def decrypt(self, key: bytes, nonce: bytes, sealed: bytes) -> bytes:
        body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
        dec = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, tag)).decryptor()
        return dec.update(body) + dec.finalize()


class AesGcm:
    """AES-256-GCM, the internationally reviewed alternative."""

    name = "aes-gcm"

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes) -> bytes:
        return AESGCM(key[:32]).encrypt(nonce, plaintext, None)

    def decrypt(self, key: bytes, nonce: bytes, sealed: bytes) -> bytes:
        return AESGCM(key[:32]).decrypt(nonce, sealed, None)


CIPHERS: dict[str, DataCipher] = {c.name: c for c in (Sm4Gcm(), AesGcm())}


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC over SM3 (GB/T 32905): the keyed hash of the search index and the audit chain."""
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def parse_key_list(spec: str, *, setting: str) -> dict[str, bytes]:
    """``"id:hex,id:hex"`` → {id: 32 bytes}, in the given order (the first one is active)."""
    keys: dict[str, bytes] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, _, hex_key = part.partition(":")
        try:
            raw = bytes.fromhex(hex_key)
        except ValueError as exc:
            raise PersonalDataError(f"{setting}：密钥 {key_id} 不是十六进制") from exc
        if len(raw) != 32 or not key_id or ":" in key_id:
            raise PersonalDataError(f"{setting}：密钥 {key_id!r} 须为 32 字节（64 位十六进制）")
        keys[key_id] = raw
    if not keys:
        raise PersonalDataError(f"未配置密钥 {setting}")
    return keys


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    active_key_id: str
    cipher_name: str
    index_key: bytes

    @classmethod
    def parse(cls, spec: str, index_key_hex: str, cipher_name: str) -> Keyring:
        keys = parse_key_list(spec, setting="XINFANG_DATA_KEYS")
        if cipher_name not in CIPHERS:
            raise PersonalDataError(f"不支持的加密算法 {cipher_name}")
        try:
            index_key = bytes.fromhex(index_key_hex)
        except ValueError as exc:
            raise PersonalDataError("XINFANG_INDEX_KEY 不是十六进制") from exc
        if len(index_key) < 16:
            raise PersonalDataError("XINFANG_INDEX_KEY 至少 16 字节")
        return cls(
            keys=keys, active_key_id=next(iter(keys)), cipher_name=cipher_name, index_key=index_key
        )

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        cipher = CIPHERS[self.cipher_name]
        body = cipher.encrypt(self.keys[self.active_key_id], nonce, plaintext.encode("utf-8"))
        blob = base64.b64encode(nonce + body).decode("ascii")
        return f"{self.cipher_name}:{self.active_key_id}:{blob}"

    def open(self, token: str) -> str:
        try:
            cipher_name, key_id, blob = token.split(":", 2)
            cipher = CIPHERS[cipher_name]
            key = self.keys[key_id]
            raw = base64.b64decode(blob)
            return cipher.decrypt(key, raw[:NONCE_BYTES], raw[NONCE_BYTES:]).decode("utf-8")
        except KeyError as exc:
            raise PersonalDataError(f"缺少解密所需的密钥或算法：{exc}") from exc
        except (ValueError, InvalidTag) as exc:
            raise TamperedCiphertext("个人信息密文已损坏或被篡改") from exc

    def seal_bytes(self, plaintext: bytes) -> bytes:
        """Binary sealing (attachments): ``b"<cipher>:<key id>:" + nonce + ciphertext``."""
        nonce = os.urandom(NONCE_BYTES)
        cipher = CIPHERS[self.cipher_name]
        body = cipher.encrypt(self.keys[self.active_key_id], nonce, plaintext)
        return f"{self.cipher_name}:{self.active_key_id}:".encode("ascii") + nonce + body

    def open_bytes(self, sealed: bytes) -> bytes:
        try:
            cipher_name, key_id, raw = sealed.split(b":", 2)
            cipher = CIPHERS[cipher_name.decode("ascii")]
            key = self.keys[key_id.decode("ascii")]
            return cipher.decrypt(key, raw[:NONCE_BYTES], raw[NONCE_BYTES:])
        except KeyError as exc:
            raise PersonalDataError(f"缺少解密所需的密钥或算法：{exc}") from exc
        except (ValueError, InvalidTag) as exc:
            raise TamperedCiphertext("附件密文已损坏或被篡改") from exc

    def needs_rekey(self, token: str) -> bool:
        return not token.startswith(f"{self.cipher_name}:{self.active_key_id}:")

    def blind_index(self, normalized: str, purpose: str) -> str:
        return hmac_sm3(
            self.index_key, purpose.encode("ascii") + b"\x00" + normalized.encode("utf-8")
        ).hex()


@lru_cache(maxsize=4)
def _keyring(spec: str, index_key: str, cipher_name: str) -> Keyring:
    return Keyring.parse(spec, index_key, cipher_name)


def keyring() -> Keyring:
    """The keyring of the current settings (re-read when tests override settings)."""
    return _keyring(settings.XINFANG_DATA_KEYS, settings.XINFANG_INDEX_KEY, settings.XINFANG_CIPHER)


def seal(plaintext: str) -> str:
    return keyring().seal(plaintext)


def open_(token: str) -> str:
    return keyring().open(token)


def blind_index(normalized: str, purpose: str) -> str:
    return keyring().blind_index(normalized, purpose)


def seal_bytes(plaintext: bytes) -> bytes:
    return keyring().seal_bytes(plaintext)


def open_bytes(sealed: bytes) -> bytes:
    return keyring().open_bytes(sealed)
