(set-logic QF_BV)
(set-option :produce-models true)
; S x T = OR_{i=0..T} (x >> i)   (smear by T)
(define-fun S ((x (_ BitVec 64)) (T (_ BitVec 64))) (_ BitVec 64)
  (bvor x (ite (bvule (_ bv1 64) T) (bvlshr x (_ bv1 64)) (_ bv0 64)) (ite (bvule (_ bv2 64) T) (bvlshr x (_ bv2 64)) (_ bv0 64)) (ite (bvule (_ bv3 64) T) (bvlshr x (_ bv3 64)) (_ bv0 64)) (ite (bvule (_ bv4 64) T) (bvlshr x (_ bv4 64)) (_ bv0 64)) (ite (bvule (_ bv5 64) T) (bvlshr x (_ bv5 64)) (_ bv0 64)) (ite (bvule (_ bv6 64) T) (bvlshr x (_ bv6 64)) (_ bv0 64)) (ite (bvule (_ bv7 64) T) (bvlshr x (_ bv7 64)) (_ bv0 64)) (ite (bvule (_ bv8 64) T) (bvlshr x (_ bv8 64)) (_ bv0 64)) (ite (bvule (_ bv9 64) T) (bvlshr x (_ bv9 64)) (_ bv0 64)) (ite (bvule (_ bv10 64) T) (bvlshr x (_ bv10 64)) (_ bv0 64)) (ite (bvule (_ bv11 64) T) (bvlshr x (_ bv11 64)) (_ bv0 64)) (ite (bvule (_ bv12 64) T) (bvlshr x (_ bv12 64)) (_ bv0 64)) (ite (bvule (_ bv13 64) T) (bvlshr x (_ bv13 64)) (_ bv0 64)) (ite (bvule (_ bv14 64) T) (bvlshr x (_ bv14 64)) (_ bv0 64)) (ite (bvule (_ bv15 64) T) (bvlshr x (_ bv15 64)) (_ bv0 64)) (ite (bvule (_ bv16 64) T) (bvlshr x (_ bv16 64)) (_ bv0 64)) (ite (bvule (_ bv17 64) T) (bvlshr x (_ bv17 64)) (_ bv0 64)) (ite (bvule (_ bv18 64) T) (bvlshr x (_ bv18 64)) (_ bv0 64)) (ite (bvule (_ bv19 64) T) (bvlshr x (_ bv19 64)) (_ bv0 64)) (ite (bvule (_ bv20 64) T) (bvlshr x (_ bv20 64)) (_ bv0 64)) (ite (bvule (_ bv21 64) T) (bvlshr x (_ bv21 64)) (_ bv0 64)) (ite (bvule (_ bv22 64) T) (bvlshr x (_ bv22 64)) (_ bv0 64)) (ite (bvule (_ bv23 64) T) (bvlshr x (_ bv23 64)) (_ bv0 64)) (ite (bvule (_ bv24 64) T) (bvlshr x (_ bv24 64)) (_ bv0 64)) (ite (bvule (_ bv25 64) T) (bvlshr x (_ bv25 64)) (_ bv0 64)) (ite (bvule (_ bv26 64) T) (bvlshr x (_ bv26 64)) (_ bv0 64)) (ite (bvule (_ bv27 64) T) (bvlshr x (_ bv27 64)) (_ bv0 64)) (ite (bvule (_ bv28 64) T) (bvlshr x (_ bv28 64)) (_ bv0 64)) (ite (bvule (_ bv29 64) T) (bvlshr x (_ bv29 64)) (_ bv0 64)) (ite (bvule (_ bv30 64) T) (bvlshr x (_ bv30 64)) (_ bv0 64)) (ite (bvule (_ bv31 64) T) (bvlshr x (_ bv31 64)) (_ bv0 64)) (ite (bvule (_ bv32 64) T) (bvlshr x (_ bv32 64)) (_ bv0 64)) (ite (bvule (_ bv33 64) T) (bvlshr x (_ bv33 64)) (_ bv0 64)) (ite (bvule (_ bv34 64) T) (bvlshr x (_ bv34 64)) (_ bv0 64)) (ite (bvule (_ bv35 64) T) (bvlshr x (_ bv35 64)) (_ bv0 64)) (ite (bvule (_ bv36 64) T) (bvlshr x (_ bv36 64)) (_ bv0 64)) (ite (bvule (_ bv37 64) T) (bvlshr x (_ bv37 64)) (_ bv0 64)) (ite (bvule (_ bv38 64) T) (bvlshr x (_ bv38 64)) (_ bv0 64)) (ite (bvule (_ bv39 64) T) (bvlshr x (_ bv39 64)) (_ bv0 64)) (ite (bvule (_ bv40 64) T) (bvlshr x (_ bv40 64)) (_ bv0 64)) (ite (bvule (_ bv41 64) T) (bvlshr x (_ bv41 64)) (_ bv0 64)) (ite (bvule (_ bv42 64) T) (bvlshr x (_ bv42 64)) (_ bv0 64)) (ite (bvule (_ bv43 64) T) (bvlshr x (_ bv43 64)) (_ bv0 64)) (ite (bvule (_ bv44 64) T) (bvlshr x (_ bv44 64)) (_ bv0 64)) (ite (bvule (_ bv45 64) T) (bvlshr x (_ bv45 64)) (_ bv0 64)) (ite (bvule (_ bv46 64) T) (bvlshr x (_ bv46 64)) (_ bv0 64)) (ite (bvule (_ bv47 64) T) (bvlshr x (_ bv47 64)) (_ bv0 64)) (ite (bvule (_ bv48 64) T) (bvlshr x (_ bv48 64)) (_ bv0 64)) (ite (bvule (_ bv49 64) T) (bvlshr x (_ bv49 64)) (_ bv0 64)) (ite (bvule (_ bv50 64) T) (bvlshr x (_ bv50 64)) (_ bv0 64)) (ite (bvule (_ bv51 64) T) (bvlshr x (_ bv51 64)) (_ bv0 64)) (ite (bvule (_ bv52 64) T) (bvlshr x (_ bv52 64)) (_ bv0 64)) (ite (bvule (_ bv53 64) T) (bvlshr x (_ bv53 64)) (_ bv0 64)) (ite (bvule (_ bv54 64) T) (bvlshr x (_ bv54 64)) (_ bv0 64)) (ite (bvule (_ bv55 64) T) (bvlshr x (_ bv55 64)) (_ bv0 64)) (ite (bvule (_ bv56 64) T) (bvlshr x (_ bv56 64)) (_ bv0 64)) (ite (bvule (_ bv57 64) T) (bvlshr x (_ bv57 64)) (_ bv0 64)) (ite (bvule (_ bv58 64) T) (bvlshr x (_ bv58 64)) (_ bv0 64)) (ite (bvule (_ bv59 64) T) (bvlshr x (_ bv59 64)) (_ bv0 64)) (ite (bvule (_ bv60 64) T) (bvlshr x (_ bv60 64)) (_ bv0 64)) (ite (bvule (_ bv61 64) T) (bvlshr x (_ bv61 64)) (_ bv0 64)) (ite (bvule (_ bv62 64) T) (bvlshr x (_ bv62 64)) (_ bv0 64)) (ite (bvule (_ bv63 64) T) (bvlshr x (_ bv63 64)) (_ bv0 64))))
(define-fun isMask ((y (_ BitVec 64))) Bool (= (bvand y (bvadd y (_ bv1 64))) (_ bv0 64)))
; all bits of y strictly below position c are ones
(define-fun lowOnes ((y (_ BitVec 64)) (c (_ BitVec 64))) Bool (= (bvor y (bvshl #xffffffffffffffff c)) #xffffffffffffffff))
(define-fun bit ((y (_ BitVec 64)) (b (_ BitVec 64))) Bool (= ((_ extract 0 0) (bvlshr y b)) #b1))
(define-fun tz ((v (_ BitVec 64))) (_ BitVec 64) (ite (= ((_ extract 0 0) v) #b1) (_ bv0 64) (ite (= ((_ extract 1 1) v) #b1) (_ bv1 64) (ite (= ((_ extract 2 2) v) #b1) (_ bv2 64) (ite (= ((_ extract 3 3) v) #b1) (_ bv3 64) (ite (= ((_ extract 4 4) v) #b1) (_ bv4 64) (ite (= ((_ extract 5 5) v) #b1) (_ bv5 64) (ite (= ((_ extract 6 6) v) #b1) (_ bv6 64) (ite (= ((_ extract 7 7) v) #b1) (_ bv7 64) (ite (= ((_ extract 8 8) v) #b1) (_ bv8 64) (ite (= ((_ extract 9 9) v) #b1) (_ bv9 64) (ite (= ((_ extract 10 10) v) #b1) (_ bv10 64) (ite (= ((_ extract 11 11) v) #b1) (_ bv11 64) (ite (= ((_ extract 12 12) v) #b1) (_ bv12 64) (ite (= ((_ extract 13 13) v) #b1) (_ bv13 64) (ite (= ((_ extract 14 14) v) #b1) (_ bv14 64) (ite (= ((_ extract 15 15) v) #b1) (_ bv15 64) (ite (= ((_ extract 16 16) v) #b1) (_ bv16 64) (ite (= ((_ extract 17 17) v) #b1) (_ bv17 64) (ite (= ((_ extract 18 18) v) #b1) (_ bv18 64) (ite (= ((_ extract 19 19) v) #b1) (_ bv19 64) (ite (= ((_ extract 20 20) v) #b1) (_ bv20 64) (ite (= ((_ extract 21 21) v) #b1) (_ bv21 64) (ite (= ((_ extract 22 22) v) #b1) (_ bv22 64) (ite (= ((_ extract 23 23) v) #b1) (_ bv23 64) (ite (= ((_ extract 24 24) v) #b1) (_ bv24 64) (ite (= ((_ extract 25 25) v) #b1) (_ bv25 64) (ite (= ((_ extract 26 26) v) #b1) (_ bv26 64) (ite (= ((_ extract 27 27) v) #b1) (_ bv27 64) (ite (= ((_ extract 28 28) v) #b1) (_ bv28 64) (ite (= ((_ extract 29 29) v) #b1) (_ bv29 64) (ite (= ((_ extract 30 30) v) #b1) (_ bv30 64) (ite (= ((_ extract 31 31) v) #b1) (_ bv31 64) (ite (= ((_ extract 32 32) v) #b1) (_ bv32 64) (ite (= ((_ extract 33 33) v) #b1) (_ bv33 64) (ite (= ((_ extract 34 34) v) #b1) (_ bv34 64) (ite (= ((_ extract 35 35) v) #b1) (_ bv35 64) (ite (= ((_ extract 36 36) v) #b1) (_ bv36 64) (ite (= ((_ extract 37 37) v) #b1) (_ bv37 64) (ite (= ((_ extract 38 38) v) #b1) (_ bv38 64) (ite (= ((_ extract 39 39) v) #b1) (_ bv39 64) (ite (= ((_ extract 40 40) v) #b1) (_ bv40 64) (ite (= ((_ extract 41 41) v) #b1) (_ bv41 64) (ite (= ((_ extract 42 42) v) #b1) (_ bv42 64) (ite (= ((_ extract 43 43) v) #b1) (_ bv43 64) (ite (= ((_ extract 44 44) v) #b1) (_ bv44 64) (ite (= ((_ extract 45 45) v) #b1) (_ bv45 64) (ite (= ((_ extract 46 46) v) #b1) (_ bv46 64) (ite (= ((_ extract 47 47) v) #b1) (_ bv47 64) (ite (= ((_ extract 48 48) v) #b1) (_ bv48 64) (ite (= ((_ extract 49 49) v) #b1) (_ bv49 64) (ite (= ((_ extract 50 50) v) #b1) (_ bv50 64) (ite (= ((_ extract 51 51) v) #b1) (_ bv51 64) (ite (= ((_ extract 52 52) v) #b1) (_ bv52 64) (ite (= ((_ extract 53 53) v) #b1) (_ bv53 64) (ite (= ((_ extract 54 54) v) #b1) (_ bv54 64) (ite (= ((_ extract 55 55) v) #b1) (_ bv55 64) (ite (= ((_ extract 56 56) v) #b1) (_ bv56 64) (ite (= ((_ extract 57 57) v) #b1) (_ bv57 64) (ite (= ((_ extract 58 58) v) #b1) (_ bv58 64) (ite (= ((_ extract 59 59) v) #b1) (_ bv59 64) (ite (= ((_ extract 60 60) v) #b1) (_ bv60 64) (ite (= ((_ extract 61 61) v) #b1) (_ bv61 64) (ite (= ((_ extract 62 62) v) #b1) (_ bv62 64) (ite (= ((_ extract 63 63) v) #b1) (_ bv63 64) (_ bv64 64))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))
(declare-const x (_ BitVec 64))
(declare-const p (_ BitVec 64))
(declare-const k (_ BitVec 64))
(declare-const mx (_ BitVec 64))
(declare-const x1 (_ BitVec 64))
(declare-const c (_ BitVec 64))
(declare-const E (_ BitVec 64))
(declare-const h (_ BitVec 64))
(declare-const d (_ BitVec 64))
(declare-const s (_ BitVec 64))
(declare-const mi (_ BitVec 64))
(declare-const j1 (_ BitVec 64))
(declare-const y (_ BitVec 64))
(declare-const j2 (_ BitVec 64))
(declare-const x2 (_ BitVec 64))
(declare-const p2 (_ BitVec 64))
(declare-const mx2 (_ BitVec 64))
(declare-const c2 (_ BitVec 64))
(declare-const E2 (_ BitVec 64))
(declare-const h2 (_ BitVec 64))
(declare-const s2 (_ BitVec 64))
(assert (bit x1 (_ bv0 64))) ; I1
(assert (and (bvule p mx) (= x (S (bvlshr x1 c) (bvsub mx p))))) ; I2
(assert (lowOnes (S x1 mx) c)) ; I3
(assert (and (bvule mi mx) (bvule mx (_ bv62 64)) (bvule mi (_ bv61 64)) (or (= mx mi) (not (isMask (S x1 (bvsub mx (_ bv1 64)))))))) ; I4
(assert (and (bvule d (_ bv5 64)) (= k (bvshl (_ bv1 64) d)) (bvule k (bvadd (bvsub mx p) (_ bv1 64))))) ; I5
(assert (and (bit x1 E) (bvule c E) (bvule (bvsub E c) (bvsub mx p)))) ; I6
(assert (and (bvule s (_ bv30 64)) (bvule h mx) (bvuge (bvmul (_ bv2 64) E) (bvmul h (bvadd h (_ bv3 64)))) (bvule (bvadd s (ite (= p (_ bv0 64)) (_ bv0 64) (_ bv1 64))) (bvadd (bvmul (_ bv2 64) h) d (_ bv1 64))))) ; I7
(assert (not (isMask x))) ; I8
(assert (= p (_ bv0 64)))
(assert (= j1 (tz (bvnot x))))
(assert (= y (bvlshr x j1)))
(assert (= j2 (tz y)))
(assert (= x2 (bvlshr y j2)))
(assert (= p2 j2))
(assert (= mx2 (bvadd mx j2)))
(assert (= c2 (bvadd c j1 j2)))
(assert (= E2 (bvadd c j1 mx2)))
(assert (= h2 (bvadd h (_ bv1 64))))
(assert (= s2 (bvadd s (_ bv1 64))))
(assert (=> (and (bvule mx (_ bv62 64)) (= x (S (bvlshr x1 c) mx)) (not (isMask x)) (= j1 (tz (bvnot x))) (= j2 (tz (bvlshr x j1)))) (and (bvule (_ bv1 64) j2) (bvule (bvadd j1 j2) (_ bv63 64))))) ; instance of K_a
(assert (=> (and (bvule mx (_ bv62 64)) (= x (S (bvlshr x1 c) mx)) (not (isMask x)) (= j1 (tz (bvnot x))) (= j2 (tz (bvlshr x j1)))) (bit (bvlshr x1 c) (bvadd j1 j2 mx)))) ; instance of K_b
(assert (=> (and (bvule mx (_ bv62 64)) (= x (S (bvlshr x1 c) mx)) (not (isMask x)) (= j1 (tz (bvnot x))) (= j2 (tz (bvlshr x j1)))) (= (bvand (bvlshr (bvlshr x1 c) j1) (bvsub (bvshl (_ bv1 64) (bvadd j2 mx)) (_ bv1 64))) (_ bv0 64)))) ; instance of K_c
(assert (=> (and (bvule mx (_ bv62 64)) (= x (S (bvlshr x1 c) mx)) (not (isMask x)) (= j1 (tz (bvnot x))) (= j2 (tz (bvlshr x j1)))) (lowOnes (S (bvlshr x1 c) (bvadd mx j2)) (bvadd j1 j2)))) ; instance of K_low
(assert (=> (and (bvule mx (_ bv62 64)) (= x (S (bvlshr x1 c) mx)) (not (isMask x)) (= j1 (tz (bvnot x))) (= j2 (tz (bvlshr x j1)))) (not (isMask (S (bvlshr x1 c) (bvsub (bvadd mx j2) (_ bv1 64))))))) ; instance of K_nm
(assert (=> (and (bvule mx (_ bv62 64)) (= x (S (bvlshr x1 c) mx)) (not (isMask x)) (= j1 (tz (bvnot x))) (= j2 (tz (bvlshr x j1))) (bit (bvlshr x1 c) (bvsub E c)) (bvule (bvsub E c) mx)) (bvuge j1 (bvadd (bvsub E c) (_ bv1 64))))) ; instance of K_e
(assert (= (bvlshr (S x1 mx2) c) (S (bvlshr x1 c) mx2))) ; instance of shiftcomm
(assert (= (bvlshr (S x1 (bvsub mx2 (_ bv1 64))) c) (S (bvlshr x1 c) (bvsub mx2 (_ bv1 64))))) ; instance of shiftcomm
(assert (= (bvlshr (S (bvlshr x1 c) mx) (bvadd j1 j2)) (S (bvlshr (bvlshr x1 c) (bvadd j1 j2)) mx))) ; instance of shiftcomm
(assert (=> (bvule mx mx2) (= (bvand (S x1 mx) (bvnot (S x1 mx2))) (_ bv0 64)))) ; instance of mono
(assert (=> (and (bvule mx mx2) (bvule mx2 (_ bv62 64)) (bvule c2 (_ bv64 64)) (lowOnes (S x1 mx2) c2) (isMask (S (bvlshr x1 c2) mx))) (isMask (S x1 mx2)))) ; instance of exitmask
(assert (=> (and (bvule j1 (_ bv64 64)) (bvule j2 (_ bv64 64))) (= (bvlshr (bvlshr x j1) j2) (bvlshr x (bvadd j1 j2))))) ; instance of shiftadd
(assert (=> (and (bvule c (_ bv64 64)) (bvule (bvadd j1 j2) (_ bv64 64))) (= (bvlshr (bvlshr x1 c) (bvadd j1 j2)) (bvlshr x1 (bvadd c (bvadd j1 j2)))))) ; instance of shiftadd
(assert (=> (and (bvule c (_ bv64 64)) (bvule (bvadd j1 j2 mx) (_ bv64 64))) (= (bvlshr (bvlshr x1 c) (bvadd j1 j2 mx)) (bvlshr x1 (bvadd c (bvadd j1 j2 mx)))))) ; instance of shiftadd
(assert (isMask x2))
(check-sat)
