"""Signing in: hashes only, no default password, guessing slowed down."""
from __future__ import annotations

import pytest

from bulukumba.server import auth

PASSWORD = "sandi-kantor-2018"


@pytest.fixture(scope="module")
def users():
    hashed = auth.hash_password(PASSWORD, rounds=4)  # low cost: the test is about logic, not cost
    return auth.users_from_secrets({"pengguna": {
        "kadis": {"nama": "Kepala Dinas", "peran": "pimpinan", "hash_sandi": hashed},
        "Operator1": {"nama": "Operator", "peran": "operator", "hash_sandi": hashed}}})


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_right_password_signs_in_with_the_role_from_secrets(users):
    result = auth.sign_in(users, "kadis", PASSWORD, auth.Throttle())
    assert result.user == auth.User("kadis", "Kepala Dinas", "pimpinan")
    assert not result.user.can_import
    operator = auth.sign_in(users, " OPERATOR1 ", PASSWORD, auth.Throttle()).user
    assert operator.can_import


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(users):
    wrong = auth.sign_in(users, "kadis", "salah", auth.Throttle())
    unknown = auth.sign_in(users, "siapa", PASSWORD, auth.Throttle())
    assert wrong.user is None and unknown.user is None
    assert wrong.pesan == unknown.pesan == "Nama pengguna atau kata sandi salah."


def test_repeated_failures_are_slowed_down_then_forgiven(users):
    clock = FakeClock()
    throttle = auth.Throttle(clock)
    for _ in range(auth.FREE_FAILURES):
        assert auth.sign_in(users, "kadis", "tebak", throttle).pesan.startswith("Nama pengguna")
    # Now even the right password must wait: the attempt is refused without checking it.
    waiting = auth.sign_in(users, "kadis", PASSWORD, throttle)
    assert waiting.user is None and "Coba lagi dalam" in waiting.pesan
    clock.now += 2.5
    assert auth.sign_in(users, "kadis", PASSWORD, throttle).user is not None
    assert throttle.wait_seconds("kadis") == 0


def test_each_further_failure_doubles_the_wait_up_to_a_limit(users):
    clock = FakeClock()
    throttle = auth.Throttle(clock)
    waits = []
    for _ in range(15):
        throttle.failed("kadis")
        waits.append(throttle.wait_seconds("kadis"))
    assert waits[:auth.FREE_FAILURES - 1] == [0] * (auth.FREE_FAILURES - 1)
    assert waits[auth.FREE_FAILURES - 1:auth.FREE_FAILURES + 3] == [2, 4, 8, 16]
    assert max(waits) == auth.MAX_WAIT_SECONDS
    assert throttle.wait_seconds("operator1") == 0  # other users are not affected


def test_no_secrets_means_no_users_and_a_broken_entry_is_named():
    assert auth.users_from_secrets({}) == {}
    with pytest.raises(auth.ConfigError, match="kadis"):
        auth.users_from_secrets({"pengguna": {"kadis": {"peran": "pimpinan", "hash_sandi": "rahasia"}}})
    with pytest.raises(auth.ConfigError, match="peran"):
        auth.users_from_secrets({"pengguna": {"x": {"peran": "admin", "hash_sandi": "$2b$04$x"}}})


def test_short_passwords_are_refused():
    with pytest.raises(ValueError, match="minimal 10"):
        auth.hash_password("pendek")


def test_the_hash_command_prints_an_entry_that_signs_in(capsys, monkeypatch):
    import io
    import tomllib

    from bulukumba.__main__ import main

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["sandi", "--nama", "op", "--peran", "operator", "--dari-stdin"]) == 0
    entry = capsys.readouterr().out.split("\n\n", 1)[1]
    users = auth.users_from_secrets(tomllib.loads(entry))
    assert PASSWORD not in entry
    assert auth.sign_in(users, "op", PASSWORD, auth.Throttle()).user.peran == "operator"


def test_guesses_sent_at_once_get_only_the_free_password_checks(users, monkeypatch):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    checked = []
    real = auth.bcrypt.checkpw
    start = threading.Barrier(40)

    def slow_check(password, hashed):
        checked.append(password)
        # A real bcrypt check takes a while: this widens the window in which guesses race past
        # the count. Not a margin any assertion relies on (a slower machine only serialises the
        # guesses, which the count stops as well).
        time.sleep(0.1)
        return real(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", slow_check)
    # "At once" whatever the machine's load: time stands still, so a guess that is scheduled
    # late does not find the throttle's two-second wait already over.
    guard = auth.Guard(clock=lambda: 1000.0)

    def guess(i):  # 40 guesses at once: 30 from one address, 10 from ten others
        start.wait()
        return auth.sign_in(users, "kadis", f"tebakan-{i}", guard, "10.0.0.1" if i < 30 else f"10.0.1.{i}")

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(guess, range(40)))
    one_address = [r for i, r in enumerate(results) if i < 30]
    assert sum(r.pesan == auth.WRONG for r in one_address) <= auth.FREE_FAILURES
    assert len(checked) <= auth.FREE_FAILURES + 10
    assert sum(r.pesan == auth.WRONG for r in results) == len(checked)
    assert all(r.tunggu for r in results if r.pesan != auth.WRONG)


def guessing_every_half_second(users, guard, clock, owner, minutes: int = 20) -> tuple[int, int]:
    """A wrong guess for kadis every 0.5 s from 203.0.113.9, and the owner's right password
    every 30 s (`owner(guard)` signs in once); (right sign-ins, attempts)."""
    right = attempts = 0
    for step in range(minutes * 120):
        clock.now += 0.5
        auth.sign_in(users, "kadis", f"tebakan-{step}", guard, "203.0.113.9")
        if step % 60 == 59:
            attempts += 1
            right += owner(guard).user is not None
    return right, attempts


def test_guessing_never_keeps_the_owner_out_of_a_browser_he_signed_in_on(users):
    clock = FakeClock()
    guard = auth.Guard(clock)
    right, attempts = guessing_every_half_second(
        users, guard, clock, lambda g: auth.sign_in(users, "kadis", PASSWORD, g, "203.0.113.9", device="laptop-kadis"))
    assert right == attempts == 40  # from the guesser's own address, even


def test_guessing_from_one_address_does_not_keep_the_owner_out_from_another(users):
    clock = FakeClock()
    guard = auth.Guard(clock)
    right, attempts = guessing_every_half_second(
        users, guard, clock, lambda g: auth.sign_in(users, "kadis", PASSWORD, g, "198.51.100.7"))
    assert right == attempts == 40


def test_guessing_from_many_addresses_holds_new_browsers_back_but_not_the_owners(users):
    clock = FakeClock()
    guard = auth.Guard(clock)
    for i in range(auth.MAX_UNTRUSTED_FAILURES):
        clock.now += 1
        assert auth.sign_in(users, "kadis", f"tebakan-{i}", guard, f"203.0.113.{i}").pesan == auth.WRONG
    refused = auth.sign_in(users, "kadis", PASSWORD, guard, "198.51.100.7")
    assert refused.user is None and 0 < refused.tunggu <= auth.FORGET_SECONDS
    assert auth.sign_in(users, "kadis", PASSWORD, guard, "198.51.100.7", device="laptop-kadis").user is not None
    assert auth.sign_in(users, "operator1", PASSWORD, guard, "198.51.100.7").user is not None  # others not
    clock.now += auth.FORGET_SECONDS  # the window moves on: a bounded wait
    assert auth.sign_in(users, "kadis", PASSWORD, guard, "198.51.100.7").user is not None


def test_a_browser_that_keeps_failing_waits_like_any_other(users):
    """A stolen device cookie is worth three guesses and then the same growing waits."""
    clock = FakeClock()
    guard = auth.Guard(clock)
    for i in range(auth.FREE_FAILURES):
        assert auth.sign_in(users, "kadis", f"tebakan-{i}", guard, "203.0.113.9", device="dicuri").pesan == auth.WRONG
    assert auth.sign_in(users, "kadis", PASSWORD, guard, "203.0.113.9", device="dicuri").tunggu == 3
    assert auth.sign_in(users, "kadis", PASSWORD, guard, "203.0.113.9", device="laptop-kadis").user is not None


@pytest.mark.parametrize("password", ["a" * 73, "é" * 37, "sandi-kantor-2018" + "x" * 100])
def test_a_password_longer_than_bcrypt_reads_is_told_so_without_a_check(users, password, monkeypatch):
    monkeypatch.setattr(auth.bcrypt, "checkpw", lambda *a: pytest.fail("checked a password bcrypt cannot read"))
    result = auth.sign_in(users, "kadis", password, auth.Guard())
    assert result.user is None and result.gagal == "panjang" and result.pesan == auth.TOO_LONG
    assert "72 byte" in auth.failure_message("panjang")
    with pytest.raises(ValueError, match="72 byte"):
        auth.hash_password(password)


@pytest.mark.slow
def test_one_address_trying_many_user_names_waits_too_and_a_success_does_not_reset_it(users):
    clock = FakeClock()
    guard = auth.Guard(clock)
    for i in range(auth.FREE_ADDRESS_FAILURES - 1):
        assert auth.sign_in(users, f"nama{i}", "sandi-umum", guard, "10.1.1.1").pesan == auth.WRONG
    assert auth.sign_in(users, "kadis", PASSWORD, guard, "10.1.1.1").user is not None
    assert auth.sign_in(users, "nama-x", "sandi-umum", guard, "10.1.1.1").pesan == auth.WRONG
    refused = auth.sign_in(users, "nama-y", "sandi-umum", guard, "10.1.1.1")
    assert refused.user is None and refused.tunggu >= 2
    assert auth.sign_in(users, "nama-y", "sandi-umum", guard, "10.2.2.2").pesan == auth.WRONG  # others not
    clock.now += auth.FORGET_SECONDS + 1  # a quiet quarter of an hour: the address starts afresh
    assert guard.addresses.wait_seconds("10.1.1.1") == 0
