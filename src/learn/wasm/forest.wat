;; Tree-ensemble prediction: adds each tree's leaf value to each row's score, for a block of rows.
;; Compiled by scripts/build-wasm.mjs into forest-wasm.ts (committed).
;; The forest layout is that of src/learn/tree/forest-layout.ts (numeric splits only).
(module
  ;; Shared, so worker threads can predict disjoint row ranges on the same forest and rows.
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "predictBlock")
    (param $X i32) (param $rows i32) (param $d i32)
    (param $roots i32) (param $nTrees i32) (param $outputs i32)
    (param $feature i32) (param $threshold i32) (param $missingRight i32) (param $children i32) (param $leafValue i32)
    (param $scores i32)
    (local $t i32) (local $root i32) (local $out i32) (local $i i32) (local $node i32) (local $v f64) (local $right i32)
    (local $row i32) (local $at i32)
    (local.set $t (i32.const 0))
    (block $treesDone
      (loop $treeLoop
        (br_if $treesDone (i32.ge_u (local.get $t) (local.get $nTrees)))
        (local.set $root (i32.load (i32.add (local.get $roots) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $out (i32.rem_u (local.get $t) (local.get $outputs)))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $row (i32.add (local.get $X) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
            (local.set $node (local.get $root))
            (block $leaf
              (loop $walk
                (br_if $leaf (i32.lt_s (local.get $node) (i32.const 0)))
                (local.set $v (f64.load (i32.add (local.get $row)
                  (i32.shl (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))) (i32.const 3)))))
                ;; Right when v > threshold, or when v is missing and missing values go right.
                (local.set $right
                  (if (result i32) (f64.eq (local.get $v) (local.get $v))
                    (then (f64.gt (local.get $v) (f64.load (i32.add (local.get $threshold) (i32.shl (local.get $node) (i32.const 3))))))
                    (else (i32.load8_u (i32.add (local.get $missingRight) (local.get $node))))))
                (local.set $node (i32.load (i32.add (local.get $children)
                  (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 1)) (local.get $right)) (i32.const 2)))))
                (br $walk)))
            (local.set $at (i32.add (local.get $scores) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $outputs)) (local.get $out)) (i32.const 3))))
            (f64.store (local.get $at)
              (f64.add (f64.load (local.get $at))
                (f64.load (i32.add (local.get $leafValue) (i32.shl (i32.xor (local.get $node) (i32.const -1)) (i32.const 3))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rowLoop)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $treeLoop))))
  ;; One step down the tree for one row, without branches: a row already at a leaf (node < 0) stays
  ;; there, reading node 0's fields harmlessly. Returns the next node.
  (func $step (param $row i32) (param $node i32)
    (param $feature i32) (param $threshold i32) (param $missingRight i32) (param $children i32) (result i32)
    (local $at i32) (local $v f64) (local $right i32) (local $next i32)
    (local.set $at (select (local.get $node) (i32.const 0) (i32.ge_s (local.get $node) (i32.const 0))))
    (local.set $v (f64.load (i32.add (local.get $row)
      (i32.shl (i32.load (i32.add (local.get $feature) (i32.shl (local.get $at) (i32.const 2)))) (i32.const 3)))))
    (local.set $right
      (select
        (f64.gt (local.get $v) (f64.load (i32.add (local.get $threshold) (i32.shl (local.get $at) (i32.const 3)))))
        (i32.load8_u (i32.add (local.get $missingRight) (local.get $at)))
        (f64.eq (local.get $v) (local.get $v))))
    (local.set $next (i32.load (i32.add (local.get $children)
      (i32.shl (i32.add (i32.shl (local.get $at) (i32.const 1)) (local.get $right)) (i32.const 2)))))
    (select (local.get $next) (local.get $node) (i32.ge_s (local.get $node) (i32.const 0))))

  ;; predictBlock for four rows at a time: the four walks are independent, so their loads and
  ;; comparisons overlap instead of each waiting on the last (a tree walk is a chain of dependent loads).
  (func (export "predictBlock4")
    (param $X i32) (param $rows i32) (param $d i32)
    (param $roots i32) (param $nTrees i32) (param $outputs i32)
    (param $feature i32) (param $threshold i32) (param $missingRight i32) (param $children i32) (param $leafValue i32)
    (param $scores i32)
    (local $t i32) (local $root i32) (local $out i32) (local $i i32) (local $k i32)
    (local $n0 i32) (local $n1 i32) (local $n2 i32) (local $n3 i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $rowBytes i32) (local $at i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $t (i32.const 0))
    (block $treesDone
      (loop $treeLoop
        (br_if $treesDone (i32.ge_u (local.get $t) (local.get $nTrees)))
        (local.set $root (i32.load (i32.add (local.get $roots) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $out (i32.rem_u (local.get $t) (local.get $outputs)))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
            ;; Rows past the block's end repeat the last row; their results are not stored.
            (local.set $r0 (i32.add (local.get $X) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $r1 (select (i32.add (local.get $r0) (local.get $rowBytes)) (local.get $r0) (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $rows))))
            (local.set $r2 (select (i32.add (local.get $r1) (local.get $rowBytes)) (local.get $r1) (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $rows))))
            (local.set $r3 (select (i32.add (local.get $r2) (local.get $rowBytes)) (local.get $r2) (i32.lt_u (i32.add (local.get $i) (i32.const 3)) (local.get $rows))))
            (local.set $n0 (local.get $root))
            (local.set $n1 (local.get $root))
            (local.set $n2 (local.get $root))
            (local.set $n3 (local.get $root))
            (block $allLeaves
              (loop $walk
                (br_if $allLeaves (i32.lt_s (i32.and (i32.and (local.get $n0) (local.get $n1)) (i32.and (local.get $n2) (local.get $n3))) (i32.const 0)))
                ;; The and of four numbers is negative only when all four are (all at leaves).
                (local.set $n0 (call $step (local.get $r0) (local.get $n0) (local.get $feature) (local.get $threshold) (local.get $missingRight) (local.get $children)))
                (local.set $n1 (call $step (local.get $r1) (local.get $n1) (local.get $feature) (local.get $threshold) (local.get $missingRight) (local.get $children)))
                (local.set $n2 (call $step (local.get $r2) (local.get $n2) (local.get $feature) (local.get $threshold) (local.get $missingRight) (local.get $children)))
                (local.set $n3 (call $step (local.get $r3) (local.get $n3) (local.get $feature) (local.get $threshold) (local.get $missingRight) (local.get $children)))
                (br $walk)))
            (local.set $k (i32.const 0))
            (block $stored
              (loop $store
                (br_if $stored (i32.or (i32.ge_u (local.get $k) (i32.const 4)) (i32.ge_u (i32.add (local.get $i) (local.get $k)) (local.get $rows))))
                (local.set $at (i32.add (local.get $scores)
                  (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (local.get $k)) (local.get $outputs)) (local.get $out)) (i32.const 3))))
                (f64.store (local.get $at)
                  (f64.add (f64.load (local.get $at))
                    (f64.load (i32.add (local.get $leafValue)
                      (i32.shl (i32.xor
                        (select (local.get $n0) (select (local.get $n1) (select (local.get $n2) (local.get $n3) (i32.eq (local.get $k) (i32.const 2))) (i32.eq (local.get $k) (i32.const 1))) (i32.eqz (local.get $k)))
                        (i32.const -1)) (i32.const 3))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $store)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rowLoop)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $treeLoop)))))
