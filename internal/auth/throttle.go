package auth

import "time"

// Throttle is the policy that slows down guessing of passwords and codes.
// Failures are counted per key (an account name, a client address); once
// Threshold failures follow each other with no quiet spell of Window
// between them, every further failure locks the key for a delay that
// doubles from Base up to Max. Attempts made while a key is locked are
// refused without being checked and without lengthening the lock, so no one
// can keep an account locked for longer than Max after their last failure;
// a quiet Window after the lock ends forgets the failures.
type Throttle struct {
	Threshold int
	Window    time.Duration
	Base      time.Duration
	Max       time.Duration
}

// The policies for sign-in. A browser where the account signed in before
// (a known device) is counted on its own, with DeviceThrottle only. Any
// other attempt is counted per account name and client address, per client
// address with a higher threshold (many people may share an address), and
// per account name across all unknown devices with a higher threshold
// still: guessing spread over many addresses slows down too, and since a
// known device never touches that counter, it cannot lock the real user
// out.
var (
	DeviceThrottle         = Throttle{Threshold: 5, Window: 15 * time.Minute, Base: 30 * time.Second, Max: 15 * time.Minute}
	AccountAddressThrottle = Throttle{Threshold: 5, Window: 15 * time.Minute, Base: 30 * time.Second, Max: 15 * time.Minute}
	AddressThrottle        = Throttle{Threshold: 50, Window: 15 * time.Minute, Base: 30 * time.Second, Max: 15 * time.Minute}
	UnknownDeviceThrottle  = Throttle{Threshold: 20, Window: 15 * time.Minute, Base: 30 * time.Second, Max: 15 * time.Minute}
)

// ThrottleState is what is kept per key. Instants are Unix milliseconds.
type ThrottleState struct {
	Failures    int
	LastFailure int64
	LockedUntil int64
}

// Allows reports whether an attempt at now may be checked.
func (t Throttle) Allows(st ThrottleState, now int64) bool { return now >= st.LockedUntil }

// Fail returns the state after a failed attempt at now.
func (t Throttle) Fail(st ThrottleState, now int64) ThrottleState {
	if now-max(st.LastFailure, st.LockedUntil) > t.Window.Milliseconds() {
		st.Failures = 0
	}
	st.Failures++
	st.LastFailure = now
	if st.Failures >= t.Threshold {
		st.LockedUntil = now + t.Delay(st.Failures).Milliseconds()
	}
	return st
}

// Delay is the lock after the nth failure in a row: none below Threshold,
// then Base, 2×Base, 4×Base … capped at Max.
func (t Throttle) Delay(n int) time.Duration {
	if n < t.Threshold {
		return 0
	}
	d := t.Base
	for i := t.Threshold; i < n && d < t.Max; i++ {
		d *= 2
	}
	return min(d, t.Max)
}
