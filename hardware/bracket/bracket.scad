// SPDX-License-Identifier: GPL-2.0-or-later
// meshroute hardware kit: printable full-height PCIe bracket (slot cover)
// for the dual-port network cards the setup relies on.
//
// Render:   openscad --export-format binstl -o bracket.stl bracket.scad
//           (or `make bracket`, which writes build/bracket/bracket.stl)
// Adjust:   openscad -D 'ports=[[30,15.6,10.0,0.2]]' ... (see README.md)
//
// ---------------------------------------------------------------------------
// Coordinates (the STL is already in print orientation, lying on the bed):
//
//   X  along the bracket.  X = 0 is the tip of the lower finger that goes into
//      the chassis slot; X = bracket_len is the underside of the screw tab (the
//      face that rests on the chassis ledge).  The spec dimensions the bracket
//      from that face, and so does this file.
//   Y  across the plate.  Y = 0 is the long edge nearest the card's PCB (its
//      solder side); the screw tab overhangs this edge (Y < 0).  The card's
//      components (the cages) are on the +Y side of the PCB.
//   Z  thickness.  Z = 0 is the OUTER face of the plate (the one that touches
//      the chassis rear wall from inside); it lies on the print bed.  The screw
//      tab and the card's mounting ears stand up in +Z, toward the card.
//
// Sources of the numbers, and how much to trust them:
//
//   [CEM]  PCI Express Card Electromechanical Specification, "Full-height
//          add-in card I/O bracket" figure (unchanged since the conventional
//          PCI "standard bracket"; the inch values in brackets are the spec's
//          own units).  These are NOMINAL spec values:
//            bracket length, finger tip .. tab underside  120.02 (4.725")
//            plate width                                   18.42 (0.725")
//            overall width incl. tab overhang              21.59 (0.850")
//            screw tab depth (fold)                        11.43 (0.450")
//            screw tab width                               19.05 (0.750")
//            screw slot width / centre from plate          4.42 / 5.08
//            lower finger width / length / corner radius   10.19 / 7.27 / 1.91
//            finger root tapers (45 deg) from              4.11 each side
//            top corner notch / tab-side offset            2.54x3.08 / 1.64x2.92
//            I/O opening in the chassis                    12.06 x 89.90
//            steel thickness                                0.86 (0.034")
//          They were cross-checked against two public re-drawings of that
//          figure (overclock.net "guide to drawing PCI-E brackets" and the
//          ParametricCase project), which agree to 0.01 mm (ParametricCase
//          simplifies the tab to the plate's width) except on one point:
//          whether the 5.08 mm slot position is taken from the outer
//          or the inner face of the 0.86 mm sheet (5.08 vs 5.94 from the
//          outer face).  We use the outer face, the chassis datum; check it
//          against your own bracket (tab_slot_z).
//   [CEM-derived]  PCB position in the bracket: the card's solder-side face
//          is 1.27 mm from the Y = 0 edge, the board is 1.57 mm thick, so the
//          component face is at Y = 2.84 (consistent with the I/O opening
//          starting 0.35 mm above it).
//   [TYPICAL]  QSFP cage: vendor cage drawings (e.g. a TE QSFP28 "thru bezel"
//          cage) give a body 18.75 mm wide and about 8.6-8.9 mm tall over the
//          board; the usual bezel cut-out is ~19.0 x 9.0 mm.  Not from the CEM
//          spec.  SFP/SFP+ (TE application spec 114-13120): single-port bezel
//          cut-out 15.25 x 10.40, bottom of cut-out 0.40 above the board.
//   [MEASURE]  Port positions along the bracket, and the card's own bracket
//          screws (position, distance from the plate, size) differ from card
//          to card: the defaults below are typical values for a dual-QSFP
//          card, NOT measurements of a specific one.  Measure your card's
//          half-height bracket (README.md says how) before printing.
//
// Printing changes from the steel part (see README.md):
//   - the plate is 2.0 mm instead of 0.86 mm (plastic needs the stiffness);
//     the extra thickness grows inward (toward the card), the outer face stays
//     where the steel one is;
//   - the finger that goes into the chassis slot is thinned to 1.0 mm so it
//     still fits the gap made for 0.86 mm steel;
//   - around the port cut-outs the plate is recessed from the inside down to
//     about the steel thickness, so the cages' EMI collars seat where they
//     would against a steel bracket and the card does not sit 1 mm off;
//   - the screw tab is 1.6 mm (growing upward, away from the chassis ledge);
//   - the horizontal holes in the upright walls are teardrops and the screw
//     slot is printed closed by a thin skin, so nothing needs supports.
// ---------------------------------------------------------------------------

/* [Printing] */
plate_t        = 2.0;   // plate thickness (steel: 0.86)
tab_t          = 1.6;   // screw tab thickness (steel: 0.86)
finger_t       = 1.0;   // lower finger thickness (must fit the chassis gap)

/* [Port cut-outs] */
// One entry per port: [x, along, across, gap]
//   x       centre of the cut-out along the bracket, from the finger tip
//   along   size along the bracket (QSFP: 19.0, SFP+: 15.25)
//   across  size across the plate, away from the board (QSFP: 9.0, SFP+: 10.4)
//   gap     from the PCB component face to the near edge of the cut-out
//           (QSFP: 0, SFP+: 0.4; negative values cut below the board line)
ports = [[33.5, 19.0, 9.0, 0.0],
         [56.0, 19.0, 9.0, 0.0]];
port_clearance = 0.2;   // added on every side of every cut-out
port_recess    = true;  // thin the plate around the cut-outs (inner side)
port_recess_margin = 1.5;  // recess extends this far beyond the cut-outs
port_wall      = 1.0;   // plate thickness left in the recess

/* [Card mounting ears] */
// The card's own bracket screws go through the PCB into these ears, which lie
// flat against the component side of the board.
ear_x      = [16.5, 73.5]; // centre of each ear's hole, from the finger tip
ear_hole_z = 7.0;   // hole centre from the OUTER face of the plate
ear_hole_d = 3.4;   // 3.4 = M3 clearance, 2.9 = M2.5 clearance,
                    // 2.7 / 2.2 to tap M3 / M2.5 straight into the plastic
ear_len    = 7.0;   // ear size along the bracket (>= hole + 2 x 1.8 mm)
ear_t      = 2.4;   // ear thickness (away from the board)

/* [Screw tab] */
tab_slot_z      = 5.08;  // slot centre from the outer face of the plate [CEM]
tab_slot_d      = 4.42;  // slot width [CEM] (6-32 UNC or M3 chassis screw)
tab_slot_end    = 2.545; // slot's round end, from the tab's open edge [CEM]
tab_slot_skin   = 0.6;   // sacrificial skin closing the slot at the edge so
                         // its roof prints as a bridge; cut it off to get the
                         // open slot, or 0 to model it open

/* [Spec constants, not meant to be changed] */
bracket_len   = 120.02; // finger tip .. underside of the screw tab [CEM]
plate_w       = 18.42;  // [CEM]
tab_depth     = 11.43;  // [CEM]
tab_w         = 19.05;  // [CEM]
tab_overhang  = 21.59 - 18.42; // 3.17: tab beyond the Y = 0 edge [CEM]
finger_w      = 10.19;  // [CEM]
finger_len    = 120.02 - 112.75; // 7.27 [CEM]
finger_r      = 1.91;   // [CEM]
finger_off    = (18.42 - 10.19) / 2; // 4.115, finger centred [CEM]
notch_w       = 2.54;   // top corner notch on the far edge [CEM]
notch_h       = 3.08;   // [CEM]
jog_w         = 4.56 - 2.92; // 1.64 [CEM]
jog_h         = 2.92;   // [CEM]
jog_start     = 4.56;   // [CEM]
tab_lobe_cut  = 4.19;   // depth of the tab's centre notch [CEM]
pcb_solder_y  = 1.27;   // [CEM-derived]
pcb_t         = 1.57;   // [CEM] nominal card thickness
io_open       = [12.06, 89.90]; // chassis I/O opening [CEM], for the checks
io_open_top   = 10.16;  // opening's top edge below the tab underside [CEM]

$fn = 24;   // round holes: enough for a printer, cheap to render
eps = 0.01;

pcb_comp_y = pcb_solder_y + pcb_t;   // 2.84: component face of the card
L = bracket_len;

// ---------------------------------------------------------------- checks
function port_box(p) =   // [x0, x1, y0, y1] of a cut-out, clearance included
	[p[0] - p[1] / 2 - port_clearance, p[0] + p[1] / 2 + port_clearance,
	 pcb_comp_y + p[3] - port_clearance,
	 pcb_comp_y + p[3] + p[2] + port_clearance];

for (p = ports) {
	b = port_box(p);
	assert(len(p) == 4, "each port is [x, along, across, gap]");
	assert(b[0] >= finger_len + finger_off + 1 && b[1] <= L - jog_start - 1,
	       str("port at x=", p[0], " runs off the plate's straight part"));
	assert(b[2] >= 0.6 && b[3] <= plate_w - 0.6,
	       str("port at x=", p[0], " leaves less than 0.6 mm of plate"));
	if (b[0] < L - io_open_top - io_open[1] || b[1] > L - io_open_top)
		echo(str("WARNING: port at x=", p[0],
		         " is partly outside the chassis I/O opening"));
}
for (i = [0:1:len(ports) - 1], j = [0:1:len(ports) - 1]) if (i < j) {
	a = port_box(ports[i]);
	b = port_box(ports[j]);
	assert(a[1] + 1.5 <= b[0] || b[1] + 1.5 <= a[0] ||
	       a[3] + 1.5 <= b[2] || b[3] + 1.5 <= a[2],
	       str("ports at x=", ports[i][0], " and x=", ports[j][0],
	           " overlap or leave less than 1.5 mm between them"));
}
for (x = ear_x) {
	assert(x - ear_len / 2 >= finger_len + finger_off &&
	       x + ear_len / 2 <= L - jog_start,
	       str("ear at x=", x, " is off the plate's straight part"));
	for (p = ports) {
		b = port_box(p);
		m = port_recess ? port_recess_margin : 0;
		assert(x + ear_len / 2 <= b[0] - m || x - ear_len / 2 >= b[1] + m,
		       str("ear at x=", x, " collides with port at x=", p[0]));
	}
}
assert(ear_len >= ear_hole_d + 3, "ear_len too small for ear_hole_d");
assert(ear_hole_z - ear_hole_d / 2 >= plate_t + 0.6,
       "ear hole cuts into the plate: raise ear_hole_z");
assert(port_wall <= plate_t && finger_t <= plate_t, "thicknesses");

// ---------------------------------------------------------------- 2D parts
function arc(c, r, a0, a1, n = 8) =
	[for (i = [0:n]) let(a = a0 + (a1 - a0) * i / n)
		[c[0] + r * cos(a), c[1] + r * sin(a)]];

// Outline of the plate seen from the inside, finger tip on the left.
module plate_outline() {
	t = L + tab_t;   // the plate runs under the tab wall, so they overlap
	fo = finger_off;
	polygon(concat(
		[[finger_len, fo],
		 [finger_len + fo, 0],                   // 45 deg taper
		 [L - jog_start, 0],                     // straight edge, PCB side
		 [L - jog_start, -(tab_overhang - jog_w)],
		 [L - jog_h, -tab_overhang],             // 45 deg up to the tab
		 [t, -tab_overhang],
		 [t, tab_w - tab_overhang],              // 15.88: tab's far end
		 [L - notch_h, plate_w - notch_w],       // notch, far edge
		 [L - notch_h - notch_w, plate_w],       // 45 deg
		 [finger_len + fo, plate_w],             // straight edge, far side
		 [finger_len, fo + finger_w]],           // 45 deg taper
		arc([finger_r, fo + finger_w - finger_r], finger_r, 90, 180),
		arc([finger_r, fo + finger_r], finger_r, 180, 270)));
}

// Teardrop: a circle with a 45 deg roof pointing +Y, printable sideways.
module teardrop(r) {
	circle(r);
	rotate(45) square(r);
}

// The screw tab seen from the finger end (2D: u = Y, v = Z).
module tab_profile() {
	y0 = -tab_overhang;              // open edge of the slot
	y1 = tab_w - tab_overhang;       // 15.88
	base = tab_depth - tab_lobe_cut; // 7.24: full width up to here
	// the two lobes either side of the centre notch, narrowing by 2 mm over
	// the last 2.81 mm as drawn in the spec
	difference() {
		polygon([[y0, 0], [y1, 0], [y1, tab_depth],
		         [y1 - 6.38, tab_depth], [y1 - 6.38, tab_depth - 1],
		         [y1 - 8.38, base + 0.38], [y1 - 8.38, base],
		         [y1 - 11.43, base], [y1 - 11.43, base + 0.38],
		         [y1 - 13.43, tab_depth - 1], [y1 - 13.43, tab_depth],
		         [y0, tab_depth]]);
		// slot: round end + channel out to the edge (or to the skin)
		r = tab_slot_d / 2;
		c = [y0 + tab_slot_end, tab_slot_z];
		translate(c) circle(r);
		translate([y0 + tab_slot_skin - (tab_slot_skin > 0 ? 0 : 1),
		           c[1] - r])
			square([c[0] - y0 - tab_slot_skin + (tab_slot_skin > 0 ? 0 : 1),
			        2 * r]);
	}
}

// A card-mounting ear seen from +Y (2D: u = X, v = Z), hole is a teardrop.
module ear_profile() {
	difference() {
		hull() {
			translate([-ear_len / 2, 0]) square([ear_len, ear_hole_z]);
			translate([0, ear_hole_z]) circle(ear_len / 2);
		}
		translate([0, ear_hole_z]) teardrop(ear_hole_d / 2);
	}
}

// ---------------------------------------------------------------- 3D
module plate() {
	thin_end = finger_len + finger_off;  // the finger and its taper are thin
	difference() {
		linear_extrude(plate_t) plate_outline();
		// thin the finger from the inside: outer face stays flat
		translate([-1, -tab_overhang - 1, finger_t])
			cube([thin_end + 1, plate_w + tab_overhang + 2, plate_t]);
		// port cut-outs
		for (p = ports) {
			b = port_box(p);
			translate([b[0], b[2], -1])
				cube([b[1] - b[0], b[3] - b[2], plate_t + 2]);
		}
		// recess on the inside around all cut-outs (one pocket, so no thin
		// ribs are left between neighbouring ports)
		if (port_recess && len(ports) > 0 && port_wall < plate_t)
			hull() for (p = ports) {
				b = port_box(p);
				m = port_recess_margin;
				translate([b[0] - m, max(b[2] - m, 0.6), port_wall])
					cube([b[1] - b[0] + 2 * m,
					      min(b[3] + m, plate_w - 0.6) - max(b[2] - m, 0.6),
					      plate_t]);
			}
	}
}

module screw_tab() {
	// extrude the (Y, Z) profile along X, from the tab underside up
	translate([L, 0, 0]) rotate([90, 0, 90])
		linear_extrude(tab_t) tab_profile();
}

module ears() {
	for (x = ear_x)
		translate([x, pcb_comp_y + ear_t, 0]) rotate([90, 0, 0])
			linear_extrude(ear_t) ear_profile();
}

module bracket() {
	union() {
		plate();
		screw_tab();
		ears();
	}
}

bracket();
