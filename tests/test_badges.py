"""Open Badges 3.0 VC-JWTs: a wallet can check them with the published key, and nothing else passes."""

import base64
import hashlib
import hmac
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials import badges
from lms.credentials.badges import BadgeData, BadgeVerificationError

BADGES_SOURCE = Path(badges.__file__)
SECRET = "a-long-random-secret-key"
ISSUER = "https://learn.example.org/learning/issuer"
KID = "https://learn.example.org/learning/issuer/keys/current"
STATUS_URL = "https://learn.example.org/learning/issuer/revocations"
ISSUED = datetime(2026, 3, 14, 15, 9, 26, 535, tzinfo=UTC)
#: Loads badges.py by path in a fresh interpreter, without running lms/__init__.py (which imports Flask).
_LOAD_BADGES = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("badges", {str(BADGES_SOURCE)!r})
badges = importlib.util.module_from_spec(spec)
sys.modules["badges"] = badges
spec.loader.exec_module(badges)
"""


def make_badge(**changes) -> BadgeData:
    data = BadgeData(
        credential_id="https://learn.example.org/learning/verify/K7Q2-M9XD",
        issuer_id=ISSUER,
        issuer_name="Birth to Five Mentoring Program",
        achievement_id="https://learn.example.org/learning/programs/rsc-2026",
        achievement_name="Reflective Supervision Certificate",
        achievement_description="A year of reflective supervision practice with a certified mentor.",
        criteria="Attend 90% of sessions and log 24 hours of reflective supervision.",
        subject_name="Nguyễn Thị Lan",
        subject_id="urn:uuid:5f4b7c1e-2d0a-4a8e-9c61-3b2f0d7e8a11",
        valid_from=ISSUED,
        status_url=STATUS_URL,
    )
    return replace(data, **changes)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return badges.signing_key(SECRET, None)


@pytest.fixture(scope="module")
def token(key) -> str:
    return badges.sign(badges.credential(make_badge()), key, kid=KID)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segments(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def forge(header: dict, payload: dict, sign=lambda signing_input: b"") -> str:
    """Build a compact JWS by hand, the way an attacker would, without PyJWT's guard rails."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64url(sign(signing_input.encode()))}"


def key_from_published_jwk(jwk: dict) -> Ed25519PublicKey:
    """What a verifier does with the JWK it fetched: only the public x coordinate goes in."""
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


def test_a_signed_badge_verifies_with_a_key_rebuilt_from_the_published_jwk(key, token):
    jwk = json.loads(json.dumps(badges.public_jwk(key.public_key(), kid=KID)))

    assert badges.verify(token, key_from_published_jwk(jwk)) == badges.credential(make_badge())
    assert badges.verify(token, jwk)["id"] == make_badge().credential_id


def test_the_published_jwk_never_holds_the_private_key(key):
    seed = b64url(key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption()))
    profile = badges.issuer_profile(ISSUER, "Program", "https://learn.example.org", key)

    assert "d" not in badges.public_jwk(key)
    assert "d" not in profile["verificationMethod"][0]["publicKeyJwk"]
    assert seed not in json.dumps(badges.public_jwk(key)) + json.dumps(profile)


def test_a_jwk_with_a_private_part_is_refused_as_a_verification_key(key, token):
    leaked = {**badges.public_jwk(key.public_key()), "d": b64url(b"\0" * 32)}

    with pytest.raises(BadgeVerificationError, match="private"):
        badges.verify(token, leaked)


def test_a_tampered_payload_fails(key, token):
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    tampered = ".".join([header, b64url(json.dumps(claims).encode()), signature])

    with pytest.raises(BadgeVerificationError, match="signature"):
        badges.verify(tampered, key.public_key())


def test_a_badge_signed_by_another_key_fails(key):
    stranger = badges.signing_key("somebody else's secret", None)
    token = badges.sign(badges.credential(make_badge()), stranger, kid=KID)

    with pytest.raises(BadgeVerificationError, match="signature"):
        badges.verify(token, key.public_key())


def test_an_unsigned_alg_none_token_is_refused(key, token):
    _, payload = segments(token)

    with pytest.raises(BadgeVerificationError, match="'none'"):
        badges.verify(forge({"alg": "none", "typ": "JWT"}, payload), key.public_key())


@pytest.mark.parametrize("secret_of", ["raw public key", "jwk x", "pem"])
def test_hs256_keyed_with_the_public_key_is_refused(key, token, secret_of):
    public = key.public_key()
    secret = {
        "raw public key": public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        "jwk x": badges.public_jwk(public)["x"].encode(),
        "pem": public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
    }[secret_of]
    _, payload = segments(token)
    header = {"alg": "HS256", "typ": "JWT", "kid": KID}
    forged = forge(header, payload, lambda signing_input: hmac.digest(secret, signing_input, "sha256"))

    for verification_key in (public, badges.public_jwk(public)):
        with pytest.raises(BadgeVerificationError, match="'HS256'"):
            badges.verify(forged, verification_key)


def test_the_same_secret_gives_every_worker_the_same_key_and_kid(key):
    again = badges.signing_key(SECRET.encode(), None)
    other_worker = subprocess.run(
        [sys.executable, "-c", _LOAD_BADGES + f"print(badges.key_id(badges.signing_key({SECRET!r}, None)))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()

    assert badges.key_id(again) == badges.key_id(key) == other_worker
    assert badges.public_jwk(again) == badges.public_jwk(key)


def test_a_different_secret_gives_a_different_kid(key):
    assert badges.key_id(badges.signing_key(SECRET + "!", None)) != badges.key_id(key)


def test_the_kid_is_the_rfc_7638_thumbprint(key):
    x = badges.public_jwk(key)["x"]
    expected = b64url(hashlib.sha256(f'{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}'.encode()).digest())

    assert badges.key_id(key.public_key()) == expected


def test_a_configured_pem_wins_over_the_derived_key():
    configured = Ed25519PrivateKey.generate()
    pem = configured.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

    assert badges.key_id(badges.signing_key(SECRET, pem)) == badges.key_id(configured)
    assert badges.key_id(badges.signing_key(SECRET, pem)) != badges.key_id(badges.signing_key(SECRET, None))


def test_a_configured_base64url_seed_wins_over_the_derived_key():
    seed = bytes(range(32))

    assert badges.key_id(badges.signing_key(SECRET, b64url(seed))) == badges.key_id(
        Ed25519PrivateKey.from_private_bytes(seed)
    )


@pytest.mark.parametrize(
    ("configured", "problem"),
    [
        (b64url(b"too short"), "32 bytes"),
        ("not base64 at all!", "neither PEM nor"),
        (
            generate_private_key(SECP256R1())
            .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            .decode(),
            "not an Ed25519",
        ),
    ],
)
def test_an_unusable_configured_key_is_a_clear_error(configured, problem):
    with pytest.raises(ValueError, match=problem):
        badges.signing_key(SECRET, configured)


def test_no_secret_and_no_configured_key_is_a_clear_error():
    with pytest.raises(ValueError, match="configured Ed25519 key or a secret"):
        badges.signing_key(None, None)


def test_the_credential_has_the_fields_open_badges_3_requires():
    document = badges.credential(make_badge())
    subject = document["credentialSubject"]
    achievement = subject["achievement"]

    assert document["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"] == make_badge().credential_id
    assert document["issuer"] == {"id": ISSUER, "type": ["Profile"], "name": "Birth to Five Mentoring Program"}
    assert document["validFrom"] == "2026-03-14T15:09:26Z"
    assert "issuanceDate" not in document
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == make_badge().subject_id
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Nguyễn Thị Lan"}
    ]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == make_badge().achievement_id
    assert achievement["name"] == document["name"] == "Reflective Supervision Certificate"
    assert achievement["description"].startswith("A year of reflective supervision")
    assert achievement["criteria"] == {"narrative": make_badge().criteria}
    json.dumps(document)


def test_a_naive_valid_from_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        badges.credential(make_badge(valid_from=datetime(2026, 3, 14, 15, 9)))


def test_the_pdf_hash_travels_as_evidence_and_must_be_a_sha256():
    digest = hashlib.sha256(b"%PDF-1.7 certificate").hexdigest()

    assert digest in json.dumps(badges.credential(make_badge(pdf_sha256=digest))["evidence"])
    with pytest.raises(ValueError, match="64 hexadecimal"):
        badges.credential(make_badge(pdf_sha256="not-a-hash"))


def test_the_jose_header_carries_only_alg_typ_and_kid(token):
    header, _ = segments(token)

    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": KID}


def test_the_registered_claims_mirror_the_credential(token):
    _, payload = segments(token)
    data = make_badge()

    assert payload["iss"] == data.issuer_id
    assert payload["jti"] == data.credential_id
    assert payload["sub"] == data.subject_id
    assert payload["nbf"] == int(ISSUED.replace(microsecond=0).timestamp())
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "vc" not in payload


def test_a_badge_without_a_subject_id_has_no_sub_and_still_verifies(key):
    token = badges.sign(badges.credential(make_badge(subject_id=None)), key, kid=KID)

    assert "sub" not in segments(token)[1]
    assert "id" not in badges.verify(token, key.public_key())["credentialSubject"]


def test_claims_that_disagree_with_the_credential_are_refused_even_when_signed(key, token):
    _, payload = segments(token)
    lying = jwt.encode({**payload, "iss": "https://elsewhere.example"}, key, algorithm="EdDSA", headers={"kid": KID})

    with pytest.raises(BadgeVerificationError, match="iss"):
        badges.verify(lying, key.public_key())


def test_a_badge_dated_in_the_future_is_not_valid_yet(key):
    later = datetime.now(UTC) + timedelta(days=1)
    token = badges.sign(badges.credential(make_badge(valid_from=later)), key, kid=KID)

    with pytest.raises(BadgeVerificationError, match="not valid yet"):
        badges.verify(token, key.public_key())


def test_a_vcdm_1_1_token_with_the_credential_in_the_vc_claim_still_verifies(key, token):
    _, payload = segments(token)
    document = badges.credential(make_badge())
    legacy = jwt.encode(
        {"vc": document, **{claim: payload[claim] for claim in ("iss", "jti", "nbf", "sub")}},
        key, algorithm="EdDSA", headers={"kid": KID},
    )

    assert badges.verify(legacy, key.public_key()) == document


def test_credential_status_points_at_the_status_url():
    document = badges.credential(make_badge())

    assert document["credentialStatus"] == {"id": STATUS_URL, "type": "1EdTechRevocationList"}
    assert "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json" in document["@context"]
    assert "credentialStatus" not in badges.credential(make_badge(status_url=None))


def test_a_revoked_credential_appears_in_the_revocation_list_and_others_do_not():
    revoked = make_badge().credential_id
    listing = badges.revocation_list(ISSUER, STATUS_URL, [revoked, revoked])

    assert listing["id"] == STATUS_URL
    assert listing["issuer"] == ISSUER
    assert listing["revokedCredentials"] == [{"id": revoked, "revoked": True}]
    assert badges.revocation_list(ISSUER, STATUS_URL, [])["revokedCredentials"] == []


def test_the_issuer_profile_publishes_the_key_a_verifier_needs(key, token):
    profile = badges.issuer_profile(ISSUER, "Program", "https://learn.example.org", key.public_key(), kid=KID)
    method = profile["verificationMethod"][0]

    assert profile["id"] == ISSUER
    assert profile["type"] == ["Profile"]
    assert (method["id"], method["controller"]) == (KID, ISSUER)
    assert profile["assertionMethod"] == [KID]
    assert badges.verify(token, key_from_published_jwk(method["publicKeyJwk"]))["issuer"]["id"] == ISSUER


def test_the_badge_module_is_pure_and_loads_without_flask_or_the_database():
    # `import lms.credentials.badges` runs lms/__init__.py, which imports Flask; load the file alone instead.
    loaded = subprocess.run(
        [sys.executable, "-c", _LOAD_BADGES + "import json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
    ).stdout
    modules = json.loads(loaded)

    assert not [name for name in modules if name.split(".")[0] in {"flask", "flask_sqlalchemy", "sqlalchemy", "lms"}]
