"""A customer's browser in a few lines: posts the claim form over real HTTP, keeps cookies."""

import http.cookiejar
import re
import secrets
import urllib.error
import urllib.request


def multipart(fields: dict[str, str], files: list[tuple[bytes, str]]) -> tuple[bytes, str]:
    """Encode a form the way a browser does; returns (body, content type)."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for content, filename in files:
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="photos"; filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class ClaimClient:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def submit(self, photos: list[tuple[bytes, str]], timeout: float = 60, **fields) -> str:
        """File a claim; returns the case reference the confirmation page shows."""
        form = {
            "order_ref": "100234",
            "email": "ana@example.com",
            "claim_type": "defective-item",
            "description": "The kettle arrived with a cracked lid.",
            "submission_id": secrets.token_hex(8),
            **fields,
        }
        body, content_type = multipart(form, photos)
        request = urllib.request.Request(
            self.base + "/claims/new", data=body, headers={"Content-Type": content_type}
        )
        with self.opener.open(request, timeout=timeout) as response:  # follows the 303
            page = response.read().decode()
        match = re.search(r'id="case-reference">([^<]+)<', page)
        if not match:
            raise AssertionError(f"no reference on the page: {page[:500]}")
        return match.group(1)
