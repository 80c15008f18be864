package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kramers-sim/kramers/gpu"
)

// signalCause is the cause of a context that catchSignals cancelled: the signal received.
type signalCause struct{ sig os.Signal }

func (c signalCause) Error() string { return c.sig.String() }

// catchSignals is the one signal handling of run, view, sweep and reproduce (docs/architecture.md,
// "Command-line contract"): the first SIGINT or SIGTERM cancels the returned context, after
// onSignal (when not nil) has said what the command does now; the command then finishes the
// chunk, frame or point in hand, writes what it has and exits with status 130. A second signal
// takes the default action and ends the program at once. It tells package gpu first that the
// program handles the signals (gpu.LeaveSignalsToCaller), so a private Xvfb started afterwards
// keeps the GL context alive until the command has written its results and closed it. stop
// removes the handler; call it when the command ends.
func catchSignals(onSignal func(os.Signal)) (ctx context.Context, stop func()) {
	gpu.LeaveSignalsToCaller()
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs) // a second signal takes the default action
			if onSignal != nil {
				onSignal(sig)
			}
			cancel(signalCause{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel(nil)
	}
}

// caughtSignal is the signal that cancelled a context of catchSignals (nil if none did).
func caughtSignal(ctx context.Context) os.Signal {
	if c, ok := context.Cause(ctx).(signalCause); ok {
		return c.sig
	}
	return nil
}
