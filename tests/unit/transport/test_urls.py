"""Mailbox URLs and configs: what they mean, what they refuse, and that secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from revcycle.transport import (
    FilesystemConfig,
    FilesystemMailbox,
    SftpConfig,
    TransportConfigError,
    open_mailbox,
    parse_mailbox_url,
)


def test_a_file_url_names_the_root_and_the_submitter(tmp_path: Path) -> None:
    config = parse_mailbox_url(f"file://{tmp_path}/boxes?submitter=S1&archive=1")
    assert config == FilesystemConfig(tmp_path / "boxes", "S1", archive=True)
    with open_mailbox(config) as box:
        assert isinstance(box, FilesystemMailbox)
        assert (tmp_path / "boxes" / "S1" / "outbound").is_dir()


def test_an_sftp_url_carries_login_port_and_options() -> None:
    config = parse_mailbox_url(
        "sftp://sub%40one:p%3Ass%2Fw@127.0.0.1:2222/?known_hosts=/tmp/kh&tofu=1"
        "&timeout=5&connect_timeout=2&attempts=7"
    )
    assert isinstance(config, SftpConfig)
    assert (config.host, config.port, config.username) == ("127.0.0.1", 2222, "sub@one")
    assert config.password == "p:ss/w"
    assert config.known_hosts == Path("/tmp/kh") and config.trust_on_first_use
    assert (config.operation_timeout, config.connect_timeout) == (5.0, 2.0)
    assert config.retry.attempts == 7
    assert config.directory == ""


def test_an_sftp_url_may_pin_the_host_key_and_name_a_directory() -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    config = parse_mailbox_url(f"sftp://S1:pw@host/srv/mail?host_key={key.replace(' ', '%20')}")
    assert isinstance(config, SftpConfig)
    assert (config.host_key, config.directory, config.port) == (key, "/srv/mail", 22)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://S1:hunter22@host/",
        "sftp://host/",
        "sftp://S1@host/",  # neither password nor key
        "sftp://S1:hunter22@host/?colour=blue",
        "sftp://S1:hunter22@host/?timeout=soon",
        "sftp://S1:hunter22@host:99999/",
        "sftp://S1:hunter22@host/?host_key=ssh-ed25519%20AAAA&tofu=1",
        "file:///tmp/boxes",
        "file:///tmp/boxes?submitter=../etc",
        "file://remote/tmp/boxes?submitter=S1",
    ],
)
def test_bad_urls_are_config_errors_that_never_repeat_the_password(url: str) -> None:
    with pytest.raises(TransportConfigError) as refused:
        open_mailbox(url)
    assert "hunter22" not in str(refused.value)
    assert refused.value.code == "transport_config_invalid"


def test_the_password_never_shows_in_the_config_repr() -> None:
    config = SftpConfig(host="h", username="S1", password="hunter22", host_key=None)
    assert "hunter22" not in repr(config)
    assert "hunter22" not in config.address


def test_an_unreadable_private_key_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "id").write_text("not a key")
    config = SftpConfig(host="h", username="S1", key_path=tmp_path / "id")
    with pytest.raises(TransportConfigError):
        open_mailbox(config)
