"""How newsroom accounts sign in: lockout after repeated failures, and the second factor.

- ``lockout``: django-axes' handler with a second limit per address, and the 429 answer.
- ``two_factor``: who needs a second factor, enrolment, checking a code, resetting.
- ``middleware``: keeps a signed-in account that has not passed the second factor out of
  everything but the two-factor pages.
- ``views``: the admin's "Set up two-factor sign-in" and "Enter your code" pages.
"""
