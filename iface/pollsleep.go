package iface

import (
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PollSleep is the sleep of a read loop that polls its socket (with
// PacketConn.TryReadFrame or UDPConn.TryReadMsgUDPAddrPort) between two
// reads that found nothing; relay/pace decides when a loop polls.
//
// It lets the goroutines that are ready run, then sleeps d in a raw
// nanosleep(2): the thread keeps its P (the Go scheduler's processor)
// through the sleep and resumes with no scheduler work. A sleep through the
// scheduler (time.Sleep, or a syscall that releases the P) costs a timer,
// a hand-off of the P and the wake-up of another thread for every tick,
// which measured more than the polling saves. Holding the P for a tick is
// safe: the sleep is short (1 ms), the Gosched before it runs whatever the
// loop made ready, and the runtime's monitor preempts a goroutine that
// holds a P for long.
func PollSleep(d time.Duration) {
	runtime.Gosched()
	ts := unix.NsecToTimespec(int64(d))
	// A signal (often the runtime's own preemption request) ends the sleep
	// early (EINTR), which is what that request wants: the loop soon
	// reaches a call where the scheduler can take over.
	unix.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
}
