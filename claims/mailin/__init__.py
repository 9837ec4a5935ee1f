"""Customers answer by email: their replies are fetched from the shop's mailbox over IMAP and
land on their case, through the same lifecycle actions and photo checks as the status page.

``addresses`` signs the per-case reply address and the thread headers of outgoing mail;
``reading`` turns a raw message into what the customer wrote now (no I/O); ``imap`` talks to
the mailbox; ``fetcher`` judges each message and adds it to its case; ``answers`` writes the
one automatic answer to what could not be attached.
"""
