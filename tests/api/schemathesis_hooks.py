"""schemathesis hooks for the API's OpenAPI document (loaded through schemathesis.toml).

The ``phone`` format: a phone number libphonenumber finds valid is beyond a JSON Schema pattern, so
generated loan rows take theirs from libphonenumber's own example numbers, in E.164.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
import schemathesis
from hypothesis import strategies as st


@cache
def example_phones() -> list[str]:
    found = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


schemathesis.openapi.format("phone", st.sampled_from(example_phones()))
