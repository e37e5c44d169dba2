"""What can go wrong talking to a destination, each as a BlogTubeError a person can act on."""

from __future__ import annotations

from blogtube_site.errors import BlogTubeError


class DestinationError(BlogTubeError):
    code = "DESTINATION_ERROR"
    message = "The destination refused the post."


class BadSiteURL(DestinationError):
    code = "DESTINATION_URL_INVALID"
    message = "The site address is not a web address BlogTube can publish to."
    suggestions = (
        "Enter the site's address as it appears in a browser, e.g. https://blog.example.com",
    )


class SiteNotFound(DestinationError):
    code = "DESTINATION_DNS"
    message = "The site's name could not be found (DNS)."
    suggestions = ("Check the site address for typos", "Open it in a browser to see that it exists")


class AddressRefused(DestinationError):
    code = "DESTINATION_ADDRESS_REFUSED"
    message = "The site's address is on a private or local network, which BlogTube does not call."
    suggestions = (
        "Use the site's public address",
        "An operator may allow private addresses with BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES",
    )


class DestinationUnreachable(DestinationError):
    code = "DESTINATION_UNREACHABLE"
    transient = True
    message = "The site did not answer."
    suggestions = ("BlogTube retries by itself; check that the site is up if it keeps failing",)


class DestinationDown(DestinationError):
    code = "DESTINATION_SERVER_ERROR"
    transient = True
    message = "The site answered with a server error."
    suggestions = ("BlogTube retries by itself; the site's own logs say more if it keeps failing",)


class BadCredentials(DestinationError):
    code = "DESTINATION_BAD_CREDENTIALS"
    message = "The site refused the credentials (401)."
    suggestions = ("Create a new key or application password on the site and enter it again",)


class MissingPermission(DestinationError):
    code = "DESTINATION_FORBIDDEN"
    message = "The credentials work but may not publish posts or upload images (403)."
    suggestions = ("Give the account the right to publish posts and upload media",)


class NotThatSite(DestinationError):
    code = "DESTINATION_WRONG_KIND"
    message = "The address does not answer as that kind of site."
    suggestions = ("Check the site address and the kind of destination chosen",)


class RemotePostGone(DestinationError):
    code = "DESTINATION_POST_GONE"
    message = "The post published earlier is no longer on the site."
    suggestions = ("Publish it again: BlogTube then makes a new post there",)
