"""The part pipeline the multipart stores share: parts are cut in place in two reused buffers,
grow when the store's part limit would be reached, and reach the uploader intact."""

from __future__ import annotations

import io
import threading

import pytest

from runtime.backup.stores.parts import PartPipeline, PartReader


class Recorder:
    """An uploader that keeps a copy of every part (the view is valid only during the call)."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.parts: dict[int, bytes] = {}
        self.threads: set[str] = set()
        self.fail_at = fail_at

    def __call__(self, number: int, part: memoryview) -> None:
        assert part.readonly
        if number == self.fail_at:
            raise OSError(f"part {number} refused")
        self.threads.add(threading.current_thread().name)
        self.parts[number] = bytes(part)


def pattern(size: int) -> bytes:
    return bytes(index * 7 % 251 for index in range(size))


def feed(pipeline: PartPipeline, data: bytes, piece: int) -> None:
    for start in range(0, len(data), piece):
        pipeline.write(data[start : start + piece])


@pytest.mark.parametrize("piece", [1, 3, 10, 64])
def test_parts_are_cut_at_the_part_size_and_reassemble(piece: int) -> None:
    recorder = Recorder()
    pipeline = PartPipeline(10, recorder)
    data = pattern(95)
    feed(pipeline, data, piece)
    assert pipeline.finish() == 10
    assert [len(recorder.parts[n]) for n in range(1, 11)] == [10] * 9 + [5]
    # Buffers are reused: any part overwritten before its upload ended would differ here.
    assert b"".join(recorder.parts[n] for n in range(1, 11)) == data
    assert pipeline.size == 95
    assert recorder.threads and threading.current_thread().name not in recorder.threads


def test_part_size_doubles_every_tenth_of_the_limit() -> None:
    recorder = Recorder()
    pipeline = PartPipeline(4, recorder, max_parts=20)
    data = pattern(4 * 2 + 8 * 2 + 16 * 2 + 32 + 5)
    feed(pipeline, data, 5)
    count = pipeline.finish()
    assert [len(recorder.parts[n]) for n in range(1, count + 1)] == [4, 4, 8, 8, 16, 16, 32, 5]
    assert b"".join(recorder.parts[n] for n in range(1, count + 1)) == data


def test_without_a_limit_the_part_size_stays() -> None:
    recorder = Recorder()
    pipeline = PartPipeline(4, recorder)
    feed(pipeline, pattern(4 * 30), 7)
    assert pipeline.finish() == 30
    assert {len(part) for part in recorder.parts.values()} == {4}


def test_an_exact_multiple_sends_no_empty_last_part_unless_asked() -> None:
    recorder = Recorder()
    pipeline = PartPipeline(5, recorder)
    feed(pipeline, pattern(10), 10)
    assert pipeline.finish() == 2
    asked = Recorder()
    pipeline = PartPipeline(5, asked)
    feed(pipeline, pattern(10), 10)
    assert pipeline.finish(always_last=True) == 3
    assert asked.parts[3] == b""


def test_an_empty_object_is_one_empty_part() -> None:
    recorder = Recorder()
    pipeline = PartPipeline(5, recorder)
    assert pipeline.finish() == 1
    assert recorder.parts == {1: b""}


def test_a_failed_part_fails_the_next_write_or_the_finish() -> None:
    pipeline = PartPipeline(4, Recorder(fail_at=1))
    pipeline.write(b"abcd")  # part 1 is submitted; its failure shows on the next hand-over
    with pytest.raises(OSError, match="part 1 refused"):
        pipeline.write(b"efgh")
    pipeline.cancel()
    pipeline = PartPipeline(4, Recorder(fail_at=1))
    pipeline.write(b"ab")
    with pytest.raises(OSError, match="part 1 refused"):
        pipeline.finish()


def test_md5_of_the_whole_stream_only_when_asked() -> None:
    assert PartPipeline(4, Recorder()).md5 is None
    pipeline = PartPipeline(4, Recorder(), md5=True)
    feed(pipeline, b"hello world", 3)
    pipeline.finish()
    assert pipeline.md5 is not None
    assert pipeline.md5.hexdigest() == "5eb63bbbe01eeed093cb22bb8f5acdc3"


def test_part_reader_reads_seeks_and_rereads() -> None:
    reader = PartReader(memoryview(b"0123456789").toreadonly())
    assert len(reader) == 10
    assert reader.read(4) == b"0123"
    target = bytearray(3)
    assert reader.readinto(target) == 3
    assert target == b"456"
    assert reader.tell() == 7
    assert reader.read() == b"789"
    assert reader.read(5) == b""
    assert reader.seek(0) == 0
    assert reader.read() == b"0123456789"
    assert reader.seek(-2, io.SEEK_END) == 8
    assert reader.read() == b"89"
    assert reader.seek(-3, io.SEEK_CUR) == 7
    assert io.BufferedReader(PartReader(memoryview(b"abc")), 2).read() == b"abc"
