package reconcile

import "webinarsync/gotowebinar"

// RecordWebhook adds key to the record of our webhooks, as a run that
// created it and crashed before cleaning up would have left it.
func RecordWebhook(r *Reconciler, key gotowebinar.Key) error {
	var rec record
	if err := r.loadRecord(&rec); err != nil {
		return err
	}
	rec.Webhooks = append(rec.Webhooks, key)
	return r.saveRecord(rec)
}
