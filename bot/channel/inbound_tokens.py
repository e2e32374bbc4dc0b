"""The token on each activity Teams sends, checked against the signing keys handed in.

The SDK's own check offers no way to give it keys: every check builds a JwtTokenExtractor,
whose constructor takes its keys from a process-wide cache that the SDK fills itself, with a
blocking download (see bot.channel.signing_keys). So this check builds the SDK's extractor
with the keys given to it, and then applies the SDK's own rules for a channel token (issuer,
signature and algorithm, expiry, endorsements, the app id in `aud`) and the `serviceurl` claim.

Only tokens the Bot Framework channel issues are accepted: that is what Teams sends. The SDK
would also take tokens minted for the Bot Framework Emulator and tokens from skills, checked
against other keys; this bot is reached through Teams (and without an app id, through the
Playground, which sends no token) and calls no skills, so those are refused before any key
is fetched.
"""

from __future__ import annotations

from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    ClaimsIdentity,
    EmulatorValidation,
    JwtTokenExtractor,
    SimpleCredentialProvider,
    SkillValidation,
    VerifyOptions,
)

from bot.channel.signing_keys import SigningKeys


class ForeignToken(PermissionError):
    """A token of a kind this bot does not take (the Emulator's, or a skill's)."""


class ChannelTokens:
    """Checks the bearer token of an activity from the Bot Framework channel."""

    def __init__(self, app_id: str, keys: SigningKeys) -> None:
        self._extractor = _KeyedTokenExtractor(_channel_token_options(), keys)
        # The app id a token's `aud` must name (empty for a bot without one, as the SDK has it).
        self._credentials = SimpleCredentialProvider(app_id, "")

    async def identity(self, auth_header: str, channel_id: str,
                       service_url: str | None) -> ClaimsIdentity:
        """The token's claims; PermissionError (or what PyJWT raises) when it is not valid,
        SigningKeysUnavailable when the keys cannot be fetched to check it."""
        # In the SDK's order, so that a malformed token fails the same way it did there.
        if SkillValidation.is_skill_token(auth_header):
            raise ForeignToken("a skill's token: this bot calls no skills")
        if EmulatorValidation.is_token_from_emulator(auth_header):
            raise ForeignToken("an Emulator's token: this bot is reached through Teams")
        identity = await self._extractor.get_identity_from_auth_header(auth_header, channel_id)
        identity = await ChannelValidation.validate_identity(identity, self._credentials)
        if service_url is not None:
            claimed = identity.get_claim_value(AuthenticationConstants.SERVICE_URL_CLAIM)
            if not claimed:
                raise PermissionError("the token has no serviceurl claim")
            if claimed != service_url:
                raise PermissionError("the token's serviceurl is not the activity's")
        return identity


def _channel_token_options() -> VerifyOptions:
    """What the SDK requires of a channel token (ChannelValidation's parameters)."""
    sdk = ChannelValidation.TO_BOT_FROM_CHANNEL_TOKEN_VALIDATION_PARAMETERS
    options = VerifyOptions(issuer=list(sdk.issuer), audience=sdk.audience,
                            clock_tolerance=sdk.clock_tolerance,
                            ignore_expiration=sdk.ignore_expiration)
    # Undeclared on VerifyOptions: the SDK's extractor sets it so, and reads it back.
    options.algorithms = (  # pyright: ignore[reportAttributeAccessIssue]
        AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS)
    return options


class _KeyedTokenExtractor(JwtTokenExtractor):
    """The SDK's extractor, given its keys instead of finding them in the SDK's cache."""

    def __init__(self, options: VerifyOptions, keys: SigningKeys) -> None:
        # The SDK's constructor is not called: all it does besides setting these two is
        # look the keys up in that process-wide cache.
        self.validation_parameters = options
        self.open_id_metadata = keys
