package issuer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// Config sets up the service.
type Config struct {
	Client *client.Client
	// Key signs as an issuer: a key in memory or in a hardware token.
	Key crypto.Signer
	// ApprovalAboveChips makes orders of more chips wait for an approval; 0 never does.
	ApprovalAboveChips uint64
	Approvals          *Approvals
	// Rescan is how often the paid orders are scanned even without an event.
	Rescan time.Duration
	// Parallel is how many issues may wait for their block at once; 0 means 16.
	Parallel int
	Logger   *slog.Logger
}

// Service issues the chips of paid orders.
type Service struct {
	cfg Config
	log *slog.Logger
	// slots bounds the issues waiting for their block at once (Config.Parallel).
	slots    chan struct{}
	mu       sync.Mutex
	inFlight map[string]bool
	// lastProblem remembers the last failure per order, so that one is logged once.
	lastProblem map[string]string
}

// Report is the outcome of one pass over the paid orders.
type Report struct {
	Issued          []string `json:"issued"`
	AwaitApproval   []string `json:"await_approval"`
	Failed          []string `json:"failed"`
	AlreadyInFlight int      `json:"already_in_flight"`
}

// New returns a service; Run starts it.
func New(cfg Config) *Service {
	if cfg.Rescan <= 0 {
		cfg.Rescan = 2 * time.Second
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 16
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		cfg: cfg, log: cfg.Logger, slots: make(chan struct{}, cfg.Parallel),
		inFlight: make(map[string]bool), lastProblem: make(map[string]string),
	}
}

// CheckKey refuses a key that is not one of the chain's issuers: every issue it signed
// would be rejected.
func (s *Service) CheckKey(ctx context.Context) error {
	issuers, err := s.cfg.Client.Issuers(ctx)
	if err != nil {
		return err
	}
	addr, err := crypto.AddressOfSigner(s.cfg.Key)
	if err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	for _, is := range issuers {
		if is.Address == addr {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not among the chain's %d issuers", ErrNotIssuer, addr, len(issuers))
}

// Run catches up with every paid order, then issues each new one as its event arrives,
// rescanning regularly in case an event was missed, until ctx is done. It does not wait
// for one pass's issues to reach their blocks before it answers the next event: an
// order paid meanwhile goes into the very next block. A node that does not answer is
// retried with backoff.
func (s *Service) Run(ctx context.Context) error {
	var issuing sync.WaitGroup
	defer issuing.Wait()
	events := s.subscribe(ctx)
	tick := time.NewTicker(s.cfg.Rescan)
	defer tick.Stop()
	backoff := time.Duration(0)
	for {
		if _, err := s.startPaid(ctx, &issuing, nil); err != nil && ctx.Err() == nil {
			backoff = min(max(2*backoff, 250*time.Millisecond), 30*time.Second)
			s.log.Warn("scan of paid orders failed, retrying", "in", backoff, "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case _, ok := <-events:
			if !ok {
				events = s.subscribe(ctx)
			}
		}
	}
}

// subscribe returns the stream of newly paid orders, or nil (the ticker alone then
// drives the service) when the node refuses a subscription.
func (s *Service) subscribe(ctx context.Context) <-chan string {
	ch, err := s.cfg.Client.SubscribeOrders(ctx, txn.StatusPaid)
	if err != nil {
		s.log.Warn("no event subscription; rescanning only", "err", err)
		return nil
	}
	return ch
}

// IssuePaid makes one pass and waits for it: every paid order is issued, or left
// waiting for approval.
func (s *Service) IssuePaid(ctx context.Context) (Report, error) {
	var mu sync.Mutex
	var issued, failed []string
	var wg sync.WaitGroup
	rep, err := s.startPaid(ctx, &wg, func(id string, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		if ok {
			issued = append(issued, id)
		} else {
			failed = append(failed, id)
		}
	})
	wg.Wait()
	rep.Issued, rep.Failed = issued, failed
	return rep, err
}

// startPaid starts issuing every paid order that is approved and not in flight yet,
// each in its own goroutine counted by wg, at most Config.Parallel waiting for their
// blocks at once, and returns without waiting for them. done, if set, hears how each
// ended.
//
// The paid orders are read a page at a time, each page's issues started before the next
// page is read.
func (s *Service) startPaid(ctx context.Context, wg *sync.WaitGroup, done func(id string, issued bool)) (Report, error) {
	var rep Report
	after := ""
	for {
		page, err := s.cfg.Client.PaidOrdersPage(ctx, after, 0)
		if err != nil {
			return rep, err
		}
		for _, o := range page.Items {
			s.startIssue(ctx, wg, o, &rep, done)
		}
		if page.Next == "" || page.Next == after {
			return rep, nil
		}
		after = page.Next
	}
}

// startIssue starts issuing one paid order, unless it awaits approval or is in flight.
func (s *Service) startIssue(ctx context.Context, wg *sync.WaitGroup, o txn.Order, rep *Report, done func(id string, issued bool)) {
	if s.needsApproval(o) {
		rep.AwaitApproval = append(rep.AwaitApproval, o.ID)
		s.problem(o.ID, "awaiting approval", "chips", o.Chips)
		return
	}
	if !s.claim(o.ID) {
		rep.AlreadyInFlight++
		return
	}
	wg.Go(func() {
		s.slots <- struct{}{}
		ok := s.issue(ctx, o)
		<-s.slots
		s.release(o.ID, ok)
		if done != nil {
			done(o.ID, ok)
		}
	})
}

func (s *Service) needsApproval(o txn.Order) bool {
	return s.cfg.ApprovalAboveChips > 0 && o.Chips > s.cfg.ApprovalAboveChips &&
		(s.cfg.Approvals == nil || !s.cfg.Approvals.Approved(o.ID))
}

// issue submits the order's issue; "already issued" is success.
func (s *Service) issue(ctx context.Context, o txn.Order) bool {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := s.cfg.Client.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: o.Chips}, s.cfg.Key)
	var rej *txn.Error
	switch {
	case err == nil:
		s.log.Info("issued", "order", o.ID, "chips", o.Chips, "buyer", o.Buyer.Address, "height", res.Height)
		return true
	case errors.As(err, &rej) && rej.Code == txn.OrderAlreadyIssued:
		return true
	case errors.Is(context.Cause(ctx), context.Canceled):
		// The service is stopping: the next start issues the order.
		return false
	}
	s.problem(o.ID, "issue failed", "err", err)
	return false
}

func (s *Service) claim(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inFlight[id] {
		return false
	}
	s.inFlight[id] = true
	return true
}

func (s *Service) release(id string, issued bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inFlight, id)
	if issued {
		delete(s.lastProblem, id)
	}
}

// problem logs a failure of an order once, until it changes.
func (s *Service) problem(id, msg string, kv ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := msg + fmt.Sprint(kv...)
	if s.lastProblem[id] == key {
		return
	}
	s.lastProblem[id] = key
	s.log.Warn(msg, append([]any{"order", id}, kv...)...)
}
