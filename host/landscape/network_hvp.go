package landscape

// The exact Hessian-vector product of the compiled network (network.go), without the d×d matrix:
// Pearlmutter's R-operator (B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural
// Computation 6, 147 (1994)), R{f} = ∂f(w + r·v)/∂r at r = 0, applied to the forward and the
// backward pass (docs/theory.md §8, "Networks"). With V the direction v arranged as the weights:
//
//	forward:  R{z_j} = Σ_i (V_ji·a_i + W_ji·R{a_i}) + V_j,bias,  R{a_j} = σ'(z_j)·R{z_j}  (R{inputs} = 0)
//	output:   R{δ_out} = ℓ''(z)·R{z}
//	backward: R{δ_i} = σ''(z_i)·R{z_i}·Σ_j W_ji·δ_j + σ'(z_i)·Σ_j (V_ji·δ_j + W_ji·R{δ_j})
//	          R{∂ℓ/∂W_ji} = R{δ_j}·a_i + δ_j·R{a_i},  R{∂ℓ/∂b_j} = R{δ_j}
//
// and H_θ·v = k·(mean R{∇_w ℓ} + wd·v), as the Hessian in θ is k times the one in w. The passes
// read a row's state (forward, outLoss, backward at θ: netState), which the Hessian computes
// once per row for all d directions.

// rowState runs the forward pass, the output loss and the back-propagation of δ for the row into
// st (w = scale·θ).
func (n *network) rowState(st *netState, w, row []float64) {
	n.forward(st, w, row)
	n.outLoss(st, row)
	n.backward(st, w, nil)
}

// rForward fills s.rz and s.ra for the direction s.v at the state st.
func (n *network) rForward(st *netState, s *netScratch) {
	in := n.widths[0]
	clear(s.ra[:in])
	prev := 0
	for l := range n.layers() {
		nin, nout, stride := n.widths[l], n.widths[l+1], n.stride(l)
		u0 := n.unitStart(l)
		a, ra := st.a[prev:prev+nin], s.ra[prev:prev+nin]
		for j := range nout {
			base := n.offset[l] + j*stride
			wj, vj := s.w[base:base+stride], s.v[base:base+stride]
			rz := 0.0
			for i := range nin {
				rz += vj[i]*a[i] + wj[i]*ra[i]
			}
			if n.bias == 1 {
				rz += vj[nin]
			}
			s.rz[u0+j] = rz
			s.ra[in+u0+j] = st.d1[u0+j] * rz
		}
		prev = in + u0
	}
}

// rOutput writes R{δ} of the output units from R{z}.
func (n *network) rOutput(st *netState, s *netScratch, row []float64) {
	o := n.output()
	z, rz, rd := st.z[o:], s.rz[o:], s.rdelta[o:]
	switch n.loss {
	case lossMSE:
		rd[0] = rz[0]
		return
	case lossLogistic:
		sg := sigmoid(z[0])
		rd[0] = sg * (1 - sg) * rz[0]
		return
	}
	// δ_c = tsum·p_c − t_c, so p_c = (δ_c + t_c)/tsum; R{δ} = tsum·(p⊙R{z} − p·(p·R{z})).
	tsum := 0.0
	for _, col := range n.targ {
		tsum += row[col]
	}
	if tsum == 0 {
		clear(rd[:len(n.targ)])
		return
	}
	dot := 0.0
	for c, col := range n.targ {
		dot += (st.delta[o+c] + row[col]) / tsum * rz[c]
	}
	for c, col := range n.targ {
		p := (st.delta[o+c] + row[col]) / tsum
		rd[c] = tsum * p * (rz[c] - dot)
	}
}

// rBackward propagates R{δ} down the layers and adds R{∂ℓ/∂w} to hv.
func (n *network) rBackward(st *netState, s *netScratch, hv []float64) {
	in := n.widths[0]
	for l := n.layers() - 1; l >= 0; l-- {
		nin, nout, stride := n.widths[l], n.widths[l+1], n.stride(l)
		u0 := n.unitStart(l)
		prev := 0
		if l > 0 {
			prev = in + n.unitStart(l-1)
		}
		a, ra := st.a[prev:prev+nin], s.ra[prev:prev+nin]
		for j := range nout {
			dj, rdj := st.delta[u0+j], s.rdelta[u0+j]
			hj := hv[n.offset[l]+j*stride:]
			for i := range nin {
				hj[i] += rdj*a[i] + dj*ra[i]
			}
			if n.bias == 1 {
				hj[nin] += rdj
			}
		}
		if l == 0 {
			break
		}
		p0 := n.unitStart(l - 1)
		for i := range nin {
			sum, rsum := 0.0, 0.0
			for j := range nout {
				k := n.offset[l] + j*stride + i
				sum += s.w[k] * st.delta[u0+j]
				rsum += s.v[k]*st.delta[u0+j] + s.w[k]*s.rdelta[u0+j]
			}
			s.rdelta[p0+i] = st.d2[p0+i]*s.rz[p0+i]*sum + st.d1[p0+i]*rsum
		}
	}
}

// addSampleHVP adds R{∇_w ℓ} of the row in the direction s.v to hv, at the row's state st.
func (n *network) addSampleHVP(st *netState, s *netScratch, row, hv []float64) {
	n.rForward(st, s)
	n.rOutput(st, s, row)
	n.rBackward(st, s, hv)
}
