#!/usr/bin/env python3
"""Cross-check of the routing classifier outside xietong's C++ (src/text/README.md,
"A second look"): the same protocol — StratifiedGroupKFold over identical texts,
5 folds x seeds 1-3, macro-F1 mean and sd — with scikit-learn and jieba.

Not part of the platform or its tests; needs Debian's python3-sklearn and
python3-jieba (apt-get install python3-sklearn python3-jieba).

    bench/research/classifier_crosscheck.py [--data ../shared/data] VARIANT...

VARIANT: base, clean, sep_title, lsa (slow: ~10 min), words, char_words,
weak_labels, ensembles, errors (25 random out-of-fold errors to read).
"""
import argparse
import csv
import logging
import random
import re
import unicodedata
from collections import Counter, defaultdict

import numpy as np
from scipy.sparse import hstack
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import normalize as l2
from sklearn.svm import LinearSVC


def read(path):
    with open(path, encoding='utf-8') as f:
        return list(csv.DictReader(f))


def norm(s):
    s = unicodedata.normalize('NFKC', s or '').lower()
    return re.sub(r'\s+', ' ', s).strip()


def clean(s):
    return re.sub(r'[^\w]+', ' ', s)


class Data:
    def __init__(self, folder):
        d = folder + '/taidi2020c/'
        self.lab = read(d + 'labeled_messages.csv')
        self.unl = sum((read(d + f) for f in
                        ('messages_unlabeled.csv', 'messages_with_likes.csv', 'messages_with_replies.csv')), [])
        self.labsys = read(d + 'label_system.csv')
        self.titles = [norm(r['留言主题']) for r in self.lab]
        self.bodies = [norm(r['留言详情']) for r in self.lab]
        self.y = np.array([r['一级标签'] for r in self.lab])
        self.texts = [t + ' ' + t + ' ' + b for t, b in zip(self.titles, self.bodies)]
        self.ct = [clean(t) for t in self.titles]
        self.ctexts = [t + ' ' + t + ' ' + clean(b) for t, b in zip(self.ct, self.bodies)]
        self.groups = np.unique([t + b for t, b in zip(self.titles, self.bodies)], return_inverse=True)[1]


def folds(data):
    for seed in (1, 2, 3):
        yield from StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(data.texts, data.y, data.groups)


def tfidf(texts, tr, te, ngram=(1, 3), min_df=2, analyzer='char'):
    extra = {'token_pattern': r'\S+'} if analyzer == 'word' else {}
    v = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram, sublinear_tf=True, min_df=min_df, **extra)
    return v.fit_transform([texts[i] for i in tr]), v.transform([texts[i] for i in te])


def cv(data, features, c=3.0):
    scores = []
    for tr, te in folds(data):
        xtr, xte = features(tr, te)
        pred = LinearSVC(C=c).fit(xtr, data.y[tr]).predict(xte)
        scores.append(f1_score(data.y[te], pred, average='macro'))
    return np.mean(scores), np.std(scores)


def report(name, result):
    print(f'{name:50s} {result[0]:.3f} ± {result[1]:.3f}', flush=True)


def stack(*parts):
    return hstack([p[0] for p in parts]).tocsr(), hstack([p[1] for p in parts]).tocsr()


def scaled(part, w):
    return w * part[0], w * part[1]


def variant_base(d):
    report('baseline (title twice, char 1-3, C=3)', cv(d, lambda tr, te: tfidf(d.texts, tr, te)))


def variant_clean(d):
    report('baseline, punctuation removed', cv(d, lambda tr, te: tfidf(d.ctexts, tr, te)))


def variant_sep_title(d):
    report('+ title vectoriser (0.5)', cv(d, lambda tr, te: stack(
        tfidf(d.ctexts, tr, te), scaled(tfidf(d.ct, tr, te), 0.5))))


def variant_lsa(d):
    ut = [clean(norm(r['留言主题'])) for r in d.unl]
    ub = [clean(norm(r['留言详情'])) for r in d.unl]
    everything = d.ctexts + [t + ' ' + t + ' ' + b for t, b in zip(ut, ub)]
    a = TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, min_df=2).fit_transform(everything)
    for k in (100, 300):
        z = l2(TruncatedSVD(k, random_state=0).fit_transform(a))[:len(d.lab)]
        for w in (0.5, 1.0):
            report(f'+ LSA {k} dims over all messages ({w})', cv(d, lambda tr, te, z=z, w=w: stack(
                tfidf(d.ctexts, tr, te), (w * z[tr], w * z[te]))))


def jieba_texts(d):
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return [' '.join(w for w in jieba.cut(s) if w.strip()) for s in d.ctexts]


def variant_words(d):
    w = jieba_texts(d)
    report('jieba words (C=1)', cv(d, lambda tr, te: tfidf(w, tr, te, (1, 1), analyzer='word'), c=1))
    report('jieba word 1-2-grams (C=1)', cv(d, lambda tr, te: tfidf(w, tr, te, (1, 2), analyzer='word'), c=1))


def variant_char_words(d):
    w = jieba_texts(d)
    for weight in (1.0, 0.5):
        report(f'chars + jieba words ({weight})', cv(d, lambda tr, te, weight=weight: stack(
            tfidf(d.ctexts, tr, te), scaled(tfidf(w, tr, te, (1, 1), analyzer='word'), weight))))


def variant_weak_labels(d):
    classes = set(d.y)
    owners = defaultdict(set)
    for r in d.labsys:
        for k in ('二级分类', '三级分类'):
            for part in re.split(r'[、和与]', r[k] or ''):
                if len(part) >= 2 and part != '其他':
                    owners[part].add(r['一级分类'])
    names = {n: next(iter(c)) for n, c in owners.items() if len(c) == 1 and next(iter(c)) in classes}
    seen = {t + b for t, b in zip(d.titles, d.bodies)}
    wx, wy = [], []
    for r in d.unl:
        t, b = norm(r['留言主题']), norm(r['留言详情'])
        hits = {names[n] for n in names if n in t}
        if t + b not in seen and len(hits) == 1:
            wx.append(t + ' ' + t + ' ' + b)
            wy.append(hits.pop())
    print(f'{len(wx)} weakly labelled titles: {Counter(wy)}')
    for w in (0.1, 0.3):
        scores = []
        for tr, te in folds(d):
            v = TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, min_df=2)
            xtr = v.fit_transform([d.texts[i] for i in tr] + wx)
            weights = np.r_[np.ones(len(tr)), w * np.ones(len(wx))]
            m = LinearSVC(C=3).fit(xtr, np.r_[d.y[tr], wy], sample_weight=weights)
            scores.append(f1_score(d.y[te], m.predict(v.transform([d.texts[i] for i in te])), average='macro'))
        report(f'+ taxonomy weak labels ({w})', (np.mean(scores), np.std(scores)))


def variant_ensembles(d):
    labels = np.array(sorted(set(d.y)))
    res = defaultdict(list)

    def softmax(s):
        p = np.exp(4 * s)
        return p / p.sum(1, keepdims=True)
    for tr, te in folds(d):
        xtr, xte = tfidf(d.ctexts, tr, te)
        svm = softmax(LinearSVC(C=3).fit(xtr, d.y[tr]).decision_function(xte))
        ctr, cte = tfidf(d.ctexts, tr, te, (1, 2), min_df=1)
        cnb = ComplementNB(alpha=0.3).fit(ctr, d.y[tr]).predict_proba(cte)
        ttr, tte = tfidf(d.ct, tr, te, min_df=1)
        title = softmax(LinearSVC(C=1).fit(ttr, d.y[tr]).decision_function(tte))
        knn = KNeighborsClassifier(10, metric='cosine', weights='distance').fit(xtr, d.y[tr]).predict_proba(xte)
        for name, p in (('svm', svm), ('svm + cnb', svm + 0.5 * cnb), ('svm + title svm', svm + 0.5 * title),
                        ('svm + 10-nn', svm + 0.5 * knn), ('all four', svm + 0.3 * (cnb + title + knn))):
            res[name].append(f1_score(d.y[te], labels[p.argmax(1)], average='macro'))
    for name, scores in res.items():
        report(f'ensemble: {name}', (np.mean(scores), np.std(scores)))


def variant_errors(d):
    pred = np.empty(len(d.y), dtype=object)
    for tr, te in StratifiedGroupKFold(5, shuffle=True, random_state=1).split(d.texts, d.y, d.groups):
        xtr, xte = tfidf(d.texts, tr, te)
        pred[te] = LinearSVC(C=3).fit(xtr, d.y[tr]).predict(xte)
    errors = [i for i in range(len(d.y)) if pred[i] != d.y[i]]
    random.seed(0)
    for i in random.sample(errors, 25):
        print(d.y[i], '->', pred[i], '|', d.titles[i], '|', d.bodies[i][:80])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', default='../shared/data')
    parser.add_argument('variants', nargs='+')
    args = parser.parse_args()
    d = Data(args.data)
    for v in args.variants:
        globals()['variant_' + v](d)


if __name__ == '__main__':
    main()
