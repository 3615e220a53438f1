"""The checksum helpers that let resumable stores find damaged files and records."""

from lead_sim.runs import checksums


def test_a_file_named_with_its_digest_matches_until_a_byte_changes(tmp_path):
    data = b"some shard bytes"
    path = tmp_path / checksums.name_with_digest("part-1", data, ".parquet")
    path.write_bytes(data)
    assert checksums.named_digest(path) == checksums.digest(data)
    assert checksums.matches_name(path)
    path.write_bytes(b"some shard byteS")
    assert not checksums.matches_name(path)


def test_a_name_without_a_digest_does_not_match(tmp_path):
    path = tmp_path / "part-1.parquet"
    path.write_bytes(b"x")
    assert checksums.named_digest(path) is None
    assert not checksums.matches_name(path)
    assert not checksums.matches_name(tmp_path / "absent-0123456789abcdef.parquet")


def test_a_signed_record_detects_a_changed_value():
    record = checksums.sign_record({"candidate": 3, "values": {"a": 0.5}})
    assert checksums.record_intact(record)
    assert checksums.record_intact(checksums.sign_record(record))  # re-signing is stable
    assert not checksums.record_intact({**record, "values": {"a": 0.6}})
    assert not checksums.record_intact({"candidate": 3, "values": {"a": 0.5}})


def test_set_aside_keeps_the_file_and_says_why(tmp_path):
    path = tmp_path / "part-1.parquet"
    path.write_bytes(b"x")
    moved = checksums.set_aside(path, "checksum does not match")
    assert not path.exists()
    assert moved.parent.name == "set_aside" and moved.read_bytes() == b"x"
    assert "checksum" in moved.with_name(moved.name + ".why.txt").read_text()


def test_setting_aside_the_same_name_twice_keeps_both(tmp_path):
    path = tmp_path / "evaluations-damaged-lines.jsonl"
    path.write_bytes(b"first")
    first = checksums.set_aside(path, "one")
    path.write_bytes(b"second")
    second = checksums.set_aside(path, "two")
    assert first != second
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")
