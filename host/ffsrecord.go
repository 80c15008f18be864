package host

// The record of a forward-flux-sampling run (package host/ffs runs it, docs/theory.md §7): the
// part of a Result that only that method fills.

// FFSStage is one interface stage: trials started on λ_i, run until λ ≥ λ_{i+1} (success) or
// λ ≤ λ_A (failure); capped trials reached neither within the step cap and count as neither.
type FFSStage struct {
	Stage         int     `json:"stage"`
	From          float64 `json:"lambda_from"`
	To            float64 `json:"lambda_to"`
	Trials        int     `json:"trials"`
	Successes     int     `json:"successes"`
	Failures      int     `json:"failures"`
	Capped        int     `json:"capped"`
	P             float64 `json:"p"`
	PilotP        float64 `json:"pilot_p,omitempty"`
	Batches       int     `json:"batches"`
	ParticleSteps int64   `json:"particle_steps"`
	Seconds       float64 `json:"seconds"`
}

// FFSFlux is stage 0: the flux of first crossings of λ_0 coming from A, by renewal cycles.
type FFSFlux struct {
	Particles int `json:"particles"`
	// TA and TB are the mean iterations from entering A to crossing λ_0, and from crossing λ_0 to
	// re-entering A (or escaping), of the last cycle.
	TA     float64 `json:"t_a_iterations"`
	TB     float64 `json:"t_b_iterations"`
	Phi0   float64 `json:"phi0"` // per unit time: 1/((T_a + T_b)·η)
	RelErr float64 `json:"rel_err"`
	// Escaped counts the return trajectories of the last cycle that escaped before re-entering A.
	Escaped       int     `json:"escaped_in_return"`
	Capped        int     `json:"capped"`
	ParticleSteps int64   `json:"particle_steps"`
	Seconds       float64 `json:"seconds"`
}

// FFSResult is the forward-flux-sampling part of a Result (host/ffs fills it).
type FFSResult struct {
	Order      string     `json:"order"`
	LambdaMin  float64    `json:"lambda_minimum"` // λ at the start point
	SigmaL     float64    `json:"sigma_lambda"`   // spread of λ in the relaxed basin
	LambdaA    float64    `json:"lambda_a"`
	Interfaces []float64  `json:"interfaces"`
	Adaptive   bool       `json:"adaptive"`
	Flux       FFSFlux    `json:"flux"`
	Stages     []FFSStage `json:"stages"`
	// RelErr is σ(ln κ̂) = √(σ_boot² + σ_rel(Φ_0)²), σ_boot the genealogy bootstrap's spread of
	// ln Π P_i (docs/theory.md §7).
	RelErr float64 `json:"rel_err"`
	// RelErrStages is σ_boot; RelErrBinomial the independent-stage formula
	// √(Σ(1 − P_i)/(P_i·M_i) + σ_rel(Φ_0)²), kept for comparison.
	RelErrStages   float64 `json:"rel_err_stages_bootstrap"`
	RelErrBinomial float64 `json:"rel_err_binomial"`
	Trees          int     `json:"bootstrap_trees"`
	TargetError    float64 `json:"target_error"`
	Interval       string  `json:"interval"`
	PilotSteps     int64   `json:"pilot_particle_steps"`
	ParticleSteps  int64   `json:"particle_steps"`
	Seconds        float64 `json:"seconds"`
	TauBiasRelBias float64 `json:"tau_rel_bias"` // ≈ RelErr²: the bias of τ̂ = 1/κ̂
}
