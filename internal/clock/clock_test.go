package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fake records the sleeps it is asked for and returns at once.
type fake struct{ slept []time.Duration }

func (f *fake) Sleep(ctx context.Context, d time.Duration) error {
	f.slept = append(f.slept, d)
	return ctx.Err()
}

func TestPollChecksAtOnceThenEveryInterval(t *testing.T) {
	c, calls := &fake{}, 0
	err := Poll(context.Background(), c, time.Minute, func() (bool, error) { calls++; return calls == 3, nil })
	if err != nil || calls != 3 || len(c.slept) != 2 || c.slept[0] != time.Minute {
		t.Errorf("err %v, %d checks, slept %v", err, calls, c.slept)
	}

	failed := errors.New("gone")
	if err := Poll(context.Background(), c, time.Minute, func() (bool, error) { return false, failed }); err != failed {
		t.Errorf("a check's error: Poll returned %v", err)
	}
}

func TestPollAndSleepEndWithTheirContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	if err := Poll(ctx, &fake{}, time.Hour, func() (bool, error) { calls++; return false, nil }); !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("Poll on a cancelled context: %v after %d checks", err, calls)
	}
	// The real clock: an hour's sleep ends with its context, at once.
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context: %v", err)
	}
	if err := (Real{}).Sleep(context.Background(), time.Nanosecond); err != nil {
		t.Errorf("a nanosecond's sleep: %v", err)
	}
}

// Every waits an interval before each call, and stops with its context.
func TestEveryWaitsFirstAndStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, calls := &fake{}, 0
	Every(ctx, c, time.Minute, func() {
		if calls++; calls == 3 {
			cancel()
		}
	})
	if calls != 3 || len(c.slept) != 4 {
		t.Errorf("%d calls after %d sleeps; want 3 after 4 (the last one ended by the context)", calls, len(c.slept))
	}
}
