"""A full disk, reproducibly: `preexec_fn=file_size_limit(n)` starts a program whose files
cannot grow past n bytes (RLIMIT_FSIZE). SIGXFSZ is ignored, so a write past the limit fails
with EFBIG ("File too large") as a write to a full disk fails with ENOSPC, instead of killing
the program. Used by tests/results and tests/cluster."""
import resource
import signal


def file_size_limit(nbytes):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # stays ignored across exec
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return limit
