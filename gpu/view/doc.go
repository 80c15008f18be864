// Package view is the live view of kramers: it draws a GPU ensemble while it runs, in a window
// (`kramers view`) or as headless frames (PNG, GIF, the pictures of `kramers reproduce`).
//
//   - Geometry (geometry.go) is a plain value built from a host.Problem without GL: the
//     projection of θ onto two view coordinates, the view box, the landmarks (start minimum,
//     saddle, target minimum), the colour scale and the mapping of view coordinates to pixels.
//   - Renderer (render.go) draws the particles straight from the backend's storage buffers
//     (a compute pass splats them into per-pixel counts per class, a fragment pass gives each
//     pixel its classes' colour at an opacity that grows with the count on a log scale) over
//     the landscape, which is evaluated per pixel from the generated landscape code only when the
//     plot's size changes and is otherwise copied from a cached texture; the text overlay
//     (overlay.go) is rasterised again only where a line changed.
//   - Session (session.go) advances the ensemble between frames and shows κ̂, which it does not
//     estimate itself: it calls host.Measure on the records, as a run does. Pace chooses the
//     iterations per frame from a frame-time target; Budget reports where a frame's time goes
//     (simulate, background, points, overlay, present), each phase timed on the CPU up to a
//     glFinish.
//   - Window (window.go, x11.go) is the shown GLFW window and its keys; RenderFrames (frames.go)
//     renders frames into an offscreen framebuffer without one.
//
// Package gpu provides the context, programs, buffers and the compute backend; view imports it,
// host and shaders, and nothing imports view but the command.
package view
