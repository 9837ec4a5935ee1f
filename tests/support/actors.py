"""The people who use the service, as test helpers: a customer and a support agent."""

import io
import os
import re

from tests.support.images import photo


class Customer:
    """Files claims and looks them up the way the pages do."""

    def __init__(self, client):
        self.client = client

    def claim(self, photos=(), follow_redirects=False, **fields):
        """POST the claim form; `photos` is a list of (bytes, filename)."""
        data = {
            "order_ref": "100234",
            "email": "ana@example.com",
            "claim_type": "defective-item",
            "description": "The kettle arrived with a cracked lid.",
            "submission_id": fields.pop("submission_id", os.urandom(8).hex()),
            **fields,
        }
        data = {name: value for name, value in data.items() if value is not None}
        data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
        return self.client.post(
            "/claims/new",
            data=data,
            content_type="multipart/form-data",
            follow_redirects=follow_redirects,
        )

    def file(self, photos=None, **fields) -> str:
        """File a claim (with one photo unless told otherwise); returns its case reference."""
        self.claim(photos=photos or [(photo("JPEG"), "lid.jpg")], **fields)
        return self.reference(self.client.get("/claims/submitted"))

    def reference(self, response) -> str:
        """The case reference shown on a confirmation page."""
        match = re.search(r'id="case-reference">([^<]+)<', response.get_data(as_text=True))
        assert match, response.get_data(as_text=True)[:2000]
        return match.group(1)

    def status(self, reference: str, email: str):
        """Look a case up; a match lands on the case page."""
        return self.client.post(
            "/claims/status",
            data={"reference": reference, "email": email},
            follow_redirects=True,
        )

    def add_to_case(self, submission_id: str = "", action: str | None = None, **fields):
        """Send the add-to-case form of the case looked up last; `photos` is a list of
        (bytes, filename)."""
        photos = fields.pop("photos", [])
        data = {"submission_id": submission_id, **fields}
        if action:
            data["action"] = action
        data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
        return self.client.post("/claims/status/add", data=data, content_type="multipart/form-data")


class Agent:
    """A support agent at the console: signs in, takes cases, acts on them."""

    def __init__(self, client, runner, name: str = "sam"):
        self.client, self.runner, self.name = client, runner, name
        self.password = f"correct horse {name}"

    def create(self) -> "Agent":
        result = self.runner.invoke(args=["claims", "agent-add", self.name], input=self.password)
        assert result.exit_code == 0, result.output
        return self

    def sign_in(self, password: str | None = None):
        return self.client.post(
            "/agent/login", data={"name": self.name, "password": password or self.password}
        )

    def take_next(self, another: bool = True):
        """Press "Take next case"; `another`: even while holding a case (as most tests do,
        taking several in a row)."""
        return self.client.post("/agent/take-next", data={"another": "y"} if another else {})

    def act(self, reference: str, action: str, **fields):
        return self.client.post(
            f"/agent/cases/{reference}/{action}", data=fields, follow_redirects=True
        )
