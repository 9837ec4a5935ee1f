"""Customers see their own case, with reference and email, and nothing else."""


def test_reference_and_email_show_status_position_and_conversation(customer):
    reference = customer.file()
    response = customer.status(reference, "ana@example.com")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Case {reference}" in page
    assert "Your case is waiting for review." in page
    assert "Yours is number <strong>1</strong> in line." in page
    assert "Claim received." in page and 'alt="Photo lid.jpg"' in page
    for internal in ("lane", "Lane", "quality verification"):
        assert internal not in page


def test_reference_is_read_the_way_customers_type_it(customer):
    reference = customer.file()
    typed = reference.lower().replace("-", " ").replace("0", "o")
    page = customer.status(typed, "ANA@example.com ").get_data(as_text=True)
    assert f"Case {reference}" in page


def test_wrong_email_and_unknown_reference_get_the_same_answer(customer):
    reference = customer.file()
    wrong_email = customer.status(reference, "eve@example.com")
    unknown = customer.status("HC-0000-0000-0000", "ana@example.com")
    assert wrong_email.status_code == unknown.status_code == 400

    def message(response):
        page = response.get_data(as_text=True)
        for typed in (reference, "HC-0000-0000-0000", "ana@example.com", "eve@example.com"):
            page = page.replace(typed, "TYPED")
        return page

    assert message(wrong_email) == message(unknown)
    assert "We could not find a case with this reference and email address." in message(unknown)
    assert "Received, waiting" not in message(wrong_email)


def test_status_link_from_the_confirmation_prefills_the_reference(customer):
    reference = customer.file()
    page = customer.client.get(f"/claims/status?reference={reference}").get_data(as_text=True)
    assert f'value="{reference}"' in page


def test_position_follows_the_queue(customer):
    first = customer.file(description="First kettle with a crack.")
    second = customer.file(description="Second kettle with a crack.")
    standard = customer.file(claim_type="return-request", description="Return this one.")
    assert "number <strong>1</strong>" in customer.status(first, "ana@example.com").get_data(True)
    assert "number <strong>2</strong>" in customer.status(second, "ana@example.com").get_data(True)
    page = customer.status(standard, "ana@example.com").get_data(True)
    assert "number <strong>3</strong> in line" in page
