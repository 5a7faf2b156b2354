"""A software passkey authenticator for tests without a browser: it makes and signs the same
WebAuthn messages a phone does (CTAP2 "none" attestation, ES256, user verified), so the
server's real ceremonies check them. The browser tests use Chromium's virtual authenticator.

The key is derived from a seed, so the session-wide test world and a later test can hold
the same passkey without sharing state.
"""

import base64
import hashlib
import json
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    def __init__(self, seed: str, rp_id: str, origin: str, sign_count: int = 0):
        digest = hashlib.sha256(seed.encode()).digest()
        self.key = ec.derive_private_key(int.from_bytes(digest, "big") % (2**255),
                                         ec.SECP256R1())
        self.credential_id = hashlib.sha256(b"credential:" + digest).digest()[:16]
        self.rp_id, self.origin, self.sign_count = rp_id, origin, sign_count
        self.user_handle = b""

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def public_key(self) -> bytes:
        """The COSE key the server stores."""
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin,
                           "crossOrigin": False}).encode()

    def _auth_data(self, flags: int, extra: bytes = b"") -> bytes:
        return (hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags])
                + struct.pack(">I", self.sign_count) + extra)

    def create(self, options: dict) -> dict:
        """Answer `navigator.credentials.create()` options (the server's JSON)."""
        self.user_handle = unb64url(options["user"]["id"])
        attested = (bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
                    + self.public_key())
        auth_data = self._auth_data(UP | UV | AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": self.id, "rawId": self.id, "type": "public-key",
                "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(self._client_data(
                    "webauthn.create", options["challenge"])),
                    "attestationObject": b64url(attestation), "transports": ["internal"]}}

    def get(self, options: dict, sign_count: int | None = None) -> dict:
        """Answer `navigator.credentials.get()` options; the count goes up unless given."""
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = self._auth_data(UP | UV)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return {"id": self.id, "rawId": self.id, "type": "public-key",
                "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data),
                             "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature),
                             "userHandle": b64url(self.user_handle) if self.user_handle
                             else None}}
