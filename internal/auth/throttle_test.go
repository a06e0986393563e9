package auth

import (
	"testing"
	"time"
)

func TestThrottleDelays(t *testing.T) {
	th := AccountAddressThrottle
	want := []time.Duration{0, 0, 0, 0, 30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute}
	for i, w := range want {
		if got := th.Delay(i + 1); got != w {
			t.Errorf("delay after failure %d: %v, want %v", i+1, got, w)
		}
	}
	if th.Delay(1000) != th.Max {
		t.Error("delay not capped")
	}
}

func TestThrottleLocksAndForgets(t *testing.T) {
	th := AccountAddressThrottle
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	var st ThrottleState
	now := int64(1_700_000_000_000)
	for i := 0; i < 4; i++ {
		st = th.Fail(st, now)
		now += ms(time.Second)
		if !th.Allows(st, now) {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	st = th.Fail(st, now) // fifth
	if th.Allows(st, now+ms(29*time.Second)) || !th.Allows(st, now+ms(30*time.Second)) {
		t.Fatal("fifth failure does not lock for 30 s")
	}
	// An attacker failing at every opening reaches the cap and stays there:
	// never longer than Max after the last failure.
	for i := 0; i < 10; i++ {
		now = st.LockedUntil
		st = th.Fail(st, now)
		if st.LockedUntil-now > ms(th.Max) {
			t.Fatalf("lock of %v exceeds the cap", time.Duration(st.LockedUntil-now)*time.Millisecond)
		}
	}
	if st.LockedUntil-now != ms(th.Max) {
		t.Fatalf("lock %v, want the cap", time.Duration(st.LockedUntil-now)*time.Millisecond)
	}
	// A quiet window after the lock ends forgets the failures.
	now = st.LockedUntil + ms(th.Window) + 1
	st = th.Fail(st, now)
	if st.Failures != 1 || !th.Allows(st, now) {
		t.Fatalf("failures not forgotten: %+v", st)
	}
}
