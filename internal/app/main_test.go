package app

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that Close stops every goroutine the App starts.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
