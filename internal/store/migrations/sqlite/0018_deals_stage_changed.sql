-- Deals by stage and the time they entered it. Win/loss finds the deals
-- lost in its period by stage and stage_changed_at, and the stalled-deal
-- list the open deals in a stage since before a day; without this index
-- both read every deal of the stage (about 111,000 lost deals at
-- 1,000,000 deals) and looked each one's time up in the table.
CREATE INDEX deals_stage_changed ON deals (stage, stage_changed_at) WHERE deleted_at IS NULL;
