"""Open Badges 3.0 credentials for certificates, signed as VC-JWTs with Ed25519.

Pure: data in, JSON documents and compact JWS strings out; no Flask, no database.

The shapes follow 1EdTech Open Badges 3.0 (final), which builds on the W3C Verifiable Credentials
Data Model 2.0: contexts VC 2.0 + OB 3.0.3, ``validFrom`` rather than VCDM 1.1's ``issuanceDate``.
Its JSON Web Token proof format (section 8.2) makes the JWT payload the credential itself, with the
registered claims iss (issuer.id), jti (id), nbf (validFrom) and sub (credentialSubject.id) beside
it; the older ``vc`` claim wrapper belongs to VCDM 1.1 and is only accepted when verifying. The JOSE
header carries alg, typ "JWT" and kid, a URL that serves the issuer's public JWK, and nothing else.
Revocation uses the 1EdTech Revocation List Status Method 1.0.
"""

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: Defines the 1EdTech extension terms, among them the revocation list status type.
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
STATUS_TYPE = "1EdTechRevocationList"
ACHIEVEMENT_TYPE = "CertificateOfCompletion"
ALGORITHM = "EdDSA"
HKDF_INFO = b"lms open badges ed25519"
#: How far a verifier's clock may lag the issuer's before a fresh badge reads as "not valid yet".
CLOCK_SKEW = timedelta(seconds=60)
_JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class BadgeVerificationError(ValueError):
    """A badge token that must not be trusted."""


@dataclass(frozen=True)
class BadgeData:
    """What one signed badge says: who issued what to whom, and when."""

    credential_id: str  #: URL of the credential, e.g. https://host/learning/verify/<code>
    issuer_id: str  #: URL of the issuer profile, which the app serves with the public key
    issuer_name: str
    achievement_id: str  #: URL identifying the program's achievement
    achievement_name: str  #: the program title
    achievement_description: str
    criteria: str  #: narrative of what was required
    subject_name: str  #: the name as printed on the certificate
    subject_id: str | None  #: e.g. "urn:uuid:..." or a DID; None identifies the holder by name only
    valid_from: datetime  #: aware; signed to the second
    status_url: str | None  #: where the issuer publishes its 1EdTech Revocation List
    pdf_sha256: str | None = None  #: hex SHA-256 of the certificate PDF, to bind the badge to it


def signing_key(secret: str | bytes | None, configured: str | None = None) -> Ed25519PrivateKey:
    """The issuer's key: the configured PEM or base64url seed, else one derived from ``secret``.

    Derivation (HKDF-SHA256) gives every worker the same key without files, but it also means
    changing the secret changes the key and strands the badges already issued.
    """
    if configured and configured.strip():
        return _configured_key(configured.strip())
    if not secret:
        raise ValueError("Badge signing needs a configured Ed25519 key or a secret to derive one from.")
    material = secret.encode() if isinstance(secret, str) else secret
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(material)
    return Ed25519PrivateKey.from_private_bytes(seed)


def key_id(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The key's RFC 7638 JWK thumbprint: stable, and the same in every worker."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw(public_key))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return _b64url(hashlib.sha256(canonical).digest())


def public_jwk(public_key: Ed25519PublicKey | Ed25519PrivateKey, *, kid: str | None = None) -> dict:
    """The public key as a JWK (never the private part); ``kid`` defaults to the thumbprint."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw(public_key)),
        "kid": kid or key_id(public_key),
        "use": "sig",
        "alg": ALGORITHM,
    }


def issuer_profile(
    issuer_id: str, issuer_name: str, url: str, public_key: Ed25519PublicKey, *, kid: str | None = None
) -> dict:
    """The OB 3.0 Profile served at ``issuer_id``, listing the key badges are signed with.

    Pass the same ``kid`` URL that :func:`sign` puts in the header; by default the key is named
    by a fragment of the profile's own address.
    """
    kid = kid or f"{issuer_id}#{key_id(public_key)}"
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id,
        "type": ["Profile"],
        "name": issuer_name,
        "url": url,
        "verificationMethod": [
            {"id": kid, "type": "JsonWebKey", "controller": issuer_id, "publicKeyJwk": public_jwk(public_key, kid=kid)}
        ],
        "assertionMethod": [kid],
    }


def credential(data: BadgeData) -> dict:
    """The unsigned OpenBadgeCredential (JSON-LD) for one certificate."""
    if data.valid_from.tzinfo is None:
        raise ValueError("valid_from must be timezone-aware.")
    subject: dict = {
        "type": ["AchievementSubject"],
        # OB 3.0 has no subject name; the holder's name travels as a plain-text "name" identity.
        "identifier": [
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": data.subject_name}
        ],
        "achievement": {
            "id": data.achievement_id,
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPE,
            "name": data.achievement_name,
            "description": data.achievement_description,
            "criteria": {"narrative": data.criteria},
        },
    }
    if data.subject_id:
        subject = {"id": data.subject_id, **subject}
    document: dict = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": data.credential_id,
        "type": list(CREDENTIAL_TYPES),
        "name": data.achievement_name,
        "issuer": {"id": data.issuer_id, "type": ["Profile"], "name": data.issuer_name},
        "validFrom": _timestamp(data.valid_from),
        "credentialSubject": subject,
    }
    if data.pdf_sha256:
        digest = data.pdf_sha256.lower()
        if not _SHA256_HEX.fullmatch(digest):
            raise ValueError("pdf_sha256 must be 64 hexadecimal characters.")
        document["evidence"] = [
            {"type": ["Evidence"], "name": "Certificate PDF", "description": f"SHA-256 of the PDF: {digest}"}
        ]
    if data.status_url:
        document["@context"].append(OB_EXTENSIONS_CONTEXT)
        document["credentialStatus"] = {"id": data.status_url, "type": STATUS_TYPE}
    return document


def sign(credential: Mapping, private_key: Ed25519PrivateKey, *, kid: str) -> str:
    """The credential as a compact JWS (VC-JWT, OB 3.0 section 8.2).

    ``kid`` should be a URL that serves ``public_jwk(public_key, kid=kid)``: that is where a
    verifier looks the key up.
    """
    if not kid:
        raise ValueError("kid must name the URL where the public JWK is served.")
    claims = {"iss": _issuer_id(credential), "jti": credential["id"], "nbf": _seconds(credential["validFrom"])}
    subject_id = credential["credentialSubject"].get("id")
    if subject_id:
        claims["sub"] = subject_id
    if credential.get("validUntil"):
        claims["exp"] = _seconds(credential["validUntil"])
    return jwt.encode({**credential, **claims}, private_key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def verify(token: str, public_key: Ed25519PublicKey | Mapping) -> dict:
    """Check a badge token against the issuer's key (object or JWK) and return its credential.

    Only EdDSA is accepted, so "none" and HMAC tokens keyed with the public key are refused
    before any signature is computed. Raises :class:`BadgeVerificationError`.
    """
    key = public_key if isinstance(public_key, Ed25519PublicKey) else _key_from_jwk(public_key)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise BadgeVerificationError("This is not a signed badge token.") from exc
    if header.get("alg") != ALGORITHM:
        raise BadgeVerificationError(f"Algorithm {header.get('alg')!r} is not accepted; badges are signed with EdDSA.")
    if header.get("typ", "JWT") != "JWT":
        raise BadgeVerificationError(f"Token type {header.get('typ')!r} is not a badge.")
    try:
        payload = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["iss", "jti", "nbf"]}, leeway=CLOCK_SKEW
        )
    except jwt.InvalidSignatureError as exc:
        raise BadgeVerificationError("The signature does not match the issuer's key.") from exc
    except jwt.ImmatureSignatureError as exc:
        raise BadgeVerificationError("The badge is not valid yet.") from exc
    except jwt.ExpiredSignatureError as exc:
        raise BadgeVerificationError("The badge has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise BadgeVerificationError(f"The badge token is invalid: {exc}") from exc
    return _checked_credential(payload)


def revocation_list(issuer_id: str, list_url: str, revoked_ids: Iterable[str]) -> dict:
    """The 1EdTech Revocation List served at ``list_url`` (a credential's credentialStatus.id)."""
    return {
        "id": list_url,
        "issuer": issuer_id,
        "revokedCredentials": [{"id": credential_id, "revoked": True} for credential_id in sorted(set(revoked_ids))],
    }


def _checked_credential(payload: dict) -> dict:
    """The credential inside a verified payload, once its claims agree with it (OB 3.0 8.2.4.1)."""
    if isinstance(payload.get("vc"), dict):  # VCDM 1.1 style: the credential sits in the vc claim
        document = payload["vc"]
    else:
        document = {name: value for name, value in payload.items() if name not in _JWT_CLAIMS}
    types = document.get("type") or []
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        raise BadgeVerificationError("The token does not hold an OpenBadgeCredential.")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise BadgeVerificationError("The credential has no subject.")
    valid_from = document.get("validFrom") or document.get("issuanceDate")
    try:
        issued = _seconds(valid_from)
    except (TypeError, ValueError) as exc:
        raise BadgeVerificationError("The credential has no readable validFrom.") from exc
    mismatches = [
        claim
        for claim, expected in (
            ("iss", _issuer_id(document)),
            ("jti", document.get("id")),
            ("sub", subject.get("id")),
            ("nbf", issued),
        )
        if payload.get(claim) != expected
    ]
    if mismatches:
        raise BadgeVerificationError(f"The token's {', '.join(mismatches)} disagree with the credential.")
    return document


def _configured_key(configured: str) -> Ed25519PrivateKey:
    if configured.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(configured.encode(), password=None)
        except (TypeError, ValueError) as exc:
            raise ValueError("The configured badge key is not an unencrypted PEM private key.") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("The configured badge key is not an Ed25519 key.")
        return key
    try:
        seed = _b64url_decode(configured)
    except (binascii.Error, ValueError):
        raise ValueError("The configured badge key is neither PEM nor a base64url seed.") from None
    if len(seed) != 32:
        raise ValueError(f"An Ed25519 seed is 32 bytes; the configured one is {len(seed)}.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _key_from_jwk(jwk: Mapping) -> Ed25519PublicKey:
    if not isinstance(jwk, Mapping):
        raise TypeError("Verify with an Ed25519PublicKey or its public JWK.")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise BadgeVerificationError("The key is not an Ed25519 JWK.")
    if "d" in jwk:
        raise BadgeVerificationError("The JWK holds a private key; publish only the public part.")
    try:
        raw = _b64url_decode(jwk["x"])
        return Ed25519PublicKey.from_public_bytes(raw)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise BadgeVerificationError("The JWK's public key (x) is unreadable.") from exc


def _issuer_id(document: Mapping) -> str | None:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(timestamp: str) -> int:
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        raise ValueError("A credential timestamp must carry its time zone.")
    return int(moment.timestamp())


def _raw(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    standard = text.strip().translate(str.maketrans("-_", "+/"))
    return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
