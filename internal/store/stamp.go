package store

import "time"

// Stamp fills a zero creation time with now and a zero update time with the
// creation time, so stored objects always carry both.
func Stamp(created, updated time.Time) (time.Time, time.Time) {
	if created.IsZero() {
		created = time.Now().UTC()
	}
	if updated.IsZero() {
		updated = created
	}
	return created, updated
}

// NowIfZero is the update time of an update that did not set one.
func NowIfZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}
