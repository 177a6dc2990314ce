"""Helpers the tests share: paths, factories, fixtures' seed data, fakes and one error-shape check.

No test module imports another test module; what two of them need lives here."""
