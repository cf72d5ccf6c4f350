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
	// Proposals is the file where the service remembers the issues it proposed, so
	// that a restart does not propose one again while its proposal may still reach a
	// block; empty, it remembers them while it runs only.
	Proposals string
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
	// proposals are the issues the service proposed, by order (Config.Proposals).
	proposals *proposals
}

// Report is the outcome of one pass over the paid orders.
type Report struct {
	Issued []string `json:"issued"`
	// Proposed are the orders whose issue the service proposed: more chips than one
	// issuer may issue alone.
	Proposed []string `json:"proposed"`
	// AwaitApproval are the orders whose proposed issue waits for the other issuers'
	// approvals.
	AwaitApproval   []string `json:"await_approval"`
	Failed          []string `json:"failed"`
	AlreadyInFlight int      `json:"already_in_flight"`
}

// outcome is how the service's work on one order ended.
type outcome int

const (
	failed outcome = iota
	issued
	proposedIssue
)

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
		inFlight: make(map[string]bool), lastProblem: make(map[string]string), proposals: &proposals{file: cfg.Proposals},
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

// IssuePaid makes one pass and waits for it: every paid order is issued, or its issue
// proposed or left waiting for the issuers' approvals.
func (s *Service) IssuePaid(ctx context.Context) (Report, error) {
	var mu sync.Mutex
	var done [3][]string
	var wg sync.WaitGroup
	rep, err := s.startPaid(ctx, &wg, func(id string, out outcome) {
		mu.Lock()
		defer mu.Unlock()
		done[out] = append(done[out], id)
	})
	wg.Wait()
	rep.Issued, rep.Proposed, rep.Failed = done[issued], done[proposedIssue], done[failed]
	return rep, err
}

// startPaid starts issuing every paid order that one issuer may issue alone, and
// proposing the issue of every other one no proposal waits for, each in its own
// goroutine counted by wg, at most Config.Parallel waiting for their blocks at once, and
// returns without waiting for them. done, if set, hears how each ended.
//
// The paid orders are read a page at a time, each page's work started before the next
// page is read.
func (s *Service) startPaid(ctx context.Context, wg *sync.WaitGroup, done func(id string, out outcome)) (Report, error) {
	var rep Report
	if err := s.proposals.load(); err != nil {
		return rep, err
	}
	params, err := s.cfg.Client.Params(ctx)
	if err != nil {
		return rep, err
	}
	pass := &pass{s: s, ctx: ctx, seen: map[string]bool{}}
	after := ""
	for {
		page, err := s.cfg.Client.PaidOrdersPage(ctx, after, 0)
		if err != nil {
			return rep, err
		}
		for _, o := range page.Items {
			pass.seen[o.ID] = true
			if params.Direct(txn.TypeIssue, o.Chips) {
				s.start(ctx, wg, o, &rep, done, s.issue)
				continue
			}
			waiting, err := pass.waiting(o)
			if err != nil {
				return rep, err
			}
			if waiting != "" {
				rep.AwaitApproval = append(rep.AwaitApproval, o.ID)
				s.problem(o.ID, "awaiting the issuers' approvals", "proposal", waiting, "chips", o.Chips, "threshold", params.IssuerThreshold)
				continue
			}
			s.start(ctx, wg, o, &rep, done, s.propose)
		}
		if page.Next == "" || page.Next == after {
			// The proposals of orders no longer paid are done with: issued, held or
			// reversed.
			return rep, s.proposals.keep(func(order string) bool { return pass.seen[order] })
		}
		after = page.Next
	}
}

// start runs work on one paid order, unless the order is in flight already.
func (s *Service) start(ctx context.Context, wg *sync.WaitGroup, o txn.Order, rep *Report, done func(string, outcome), work func(context.Context, txn.Order) outcome) {
	if !s.claim(o.ID) {
		rep.AlreadyInFlight++
		return
	}
	wg.Go(func() {
		s.slots <- struct{}{}
		out := work(ctx, o)
		<-s.slots
		s.release(o.ID, out != failed)
		if done != nil {
			done(o.ID, out)
		}
	})
}

// issue submits the order's issue; "already issued" is success.
func (s *Service) issue(ctx context.Context, o txn.Order) outcome {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := s.cfg.Client.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: o.Chips}, s.cfg.Key)
	var rej *txn.Error
	switch {
	case err == nil:
		s.log.Info("issued", "order", o.ID, "chips", o.Chips, "buyer", o.Buyer.Address, "height", res.Height)
		return issued
	case errors.As(err, &rej) && rej.Code == txn.OrderAlreadyIssued:
		return issued
	case errors.Is(context.Cause(ctx), context.Canceled):
		// The service is stopping: the next start issues the order.
		return failed
	}
	s.problem(o.ID, "issue failed", "err", err)
	return failed
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
