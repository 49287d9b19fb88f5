-- A 个体工商户 without a 统一社会信用代码 is keyed by its operator's ID number,
-- as a person is by theirs: both were "id:" and the keyed hash, so the shop
-- and its operator as a person became one subject, the later import's name
-- and kind over the other's records. The shop's key is "bid:" and the hash
-- from now on. Subjects merged before cannot be told apart here.

-- +goose Up

UPDATE credit_subjects SET subject_key = 'b' || subject_key
WHERE kind = 'business' AND credit_code = '' AND subject_key LIKE 'id:%';

-- +goose Down

UPDATE credit_subjects SET subject_key = substr(subject_key, 2)
WHERE kind = 'business' AND credit_code = '' AND subject_key LIKE 'bid:%';
